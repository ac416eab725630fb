import type { LimitStandings } from '../shared/limit-standing';
import type { LimitName, PrincipalLimits } from '../shared/principal-limits';

/** The rolling window of `requestsPerMinute`. */
export const REQUEST_WINDOW_MS = 60_000;

/** Whether a request fitted in the rolling window, and if not, when it will. */
export type WindowDecision = { ok: true } | { ok: false; retryAfterMs: number };

/** The limits one stream is admitted under: `0` is no limit. */
export type AdmissionLimits = PrincipalLimits;

/**
 * A stream admitted (holding `slotId` when there is a concurrency limit), or the first limit it
 * met, having counted nothing; `retryAfterMs` is known to the store for the rolling window only.
 * Either way `standing` says where the request and token limits stand, read with the admission:
 * requests left with this one counted (a refused one is not) and when the window frees a place;
 * tokens left of the day's and when the UTC day ends, by the store's clock.
 */
export type Admission = (
  { ok: true; slotId: string | undefined } | { ok: false; limit: LimitName; retryAfterMs?: number }
) & { standing: LimitStandings };

/**
 * The counters behind the per-principal limits, keyed by principal id. Each check-and-count is one
 * call, so a shared store (Redis) makes it atomic across instances. Counters expire by themselves:
 * a principal who stops calling costs nothing after a minute, or after its UTC day. Every call is
 * asynchronous, as a shared store answers over the network.
 */
export abstract class LimitStore {
  /**
   * Takes one of `max` concurrent slots for `key` and returns its id; `undefined`, taking nothing,
   * when all are taken. A slot is held until {@link releaseSlot}, or at most `leaseMs` (so a
   * process that died holding one does not keep it for good).
   */
  abstract acquireSlot(key: string, max: number, leaseMs: number): Promise<string | undefined>;
  /** Gives back the slot `slotId` taken by {@link acquireSlot}. */
  abstract releaseSlot(key: string, slotId: string): Promise<void>;
  /** The slots `key` holds now. */
  abstract activeSlots(key: string): Promise<number>;
  /**
   * Counts a request in `key`'s rolling window ({@link REQUEST_WINDOW_MS}) unless `max` are
   * already in it; when refused, nothing is counted and `retryAfterMs` says when the oldest leaves.
   */
  abstract recordRequest(key: string, max: number): Promise<WindowDecision>;
  /** Adds to the tokens `key` used in the current UTC day. */
  abstract addTokens(key: string, tokens: number): Promise<void>;
  /** The tokens `key` used in the current UTC day. */
  abstract tokensToday(key: string): Promise<number>;

  /**
   * Checks one stream against every limit and counts it (a slot, a request in the window), or
   * counts nothing: tokens per day first, then the concurrency slot, then the window. Atomic: a
   * store over the network does it in one round trip, with where the limits stand read in it.
   */
  abstract admit(key: string, limits: AdmissionLimits, leaseMs: number): Promise<Admission>;
}
