/** The rolling window of `requestsPerMinute`. */
export const REQUEST_WINDOW_MS = 60_000;

/** Whether a request fitted in the rolling window, and if not, when it will. */
export type WindowDecision = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * The counters behind the per-principal limits, keyed by principal id. Each check-and-count is one
 * call, so a shared store (Redis) can make it atomic across instances. Counters expire by
 * themselves: a principal who stops calling costs nothing after a minute, or after its UTC day.
 */
export abstract class LimitStore {
  /** Takes one of `max` concurrent slots for `key`; false, taking nothing, when all are taken. */
  abstract acquireSlot(key: string, max: number): boolean;
  /** Gives back a slot taken by {@link acquireSlot}. */
  abstract releaseSlot(key: string): void;
  /** The slots `key` holds now. */
  abstract activeSlots(key: string): number;
  /**
   * Counts a request in `key`'s rolling window ({@link REQUEST_WINDOW_MS}) unless `max` are
   * already in it; when refused, nothing is counted and `retryAfterMs` says when the oldest leaves.
   */
  abstract recordRequest(key: string, max: number): WindowDecision;
  /** Adds to the tokens `key` used in the current UTC day. */
  abstract addTokens(key: string, tokens: number): void;
  /** The tokens `key` used in the current UTC day. */
  abstract tokensToday(key: string): number;
}
