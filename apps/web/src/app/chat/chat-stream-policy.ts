import { InjectionToken } from '@angular/core';

/** How {@link ChatStream} reconnects, watches for silence, and how long Stop waits to be confirmed. */
export interface ChatStreamPolicy {
  /** The delay before the first reconnect; each further one doubles it, up to `maxRetryDelayMs`. */
  firstRetryDelayMs: number;
  /** The longest delay between two reconnects. */
  maxRetryDelayMs: number;
  /** Reconnects tried in a row without a new frame before the reply counts as interrupted. */
  maxRetries: number;
  /** How long an outage (first failure to now, no new frame) may last before giving up. */
  maxOutageMs: number;
  /** The keep-alive interval assumed when the api does not send `X-Stream-Heartbeat-Ms`. */
  fallbackHeartbeatMs: number;
  /** How long Stop waits for the `cancelled` finish before it ends the reply locally. */
  stopConfirmMs: number;
  /** A number in [0, 1) for the jitter: `Math.random` unless a test fixes it. */
  random: () => number;
}

/** The policy the app runs with. */
export const DEFAULT_CHAT_STREAM_POLICY: ChatStreamPolicy = {
  firstRetryDelayMs: 250,
  maxRetryDelayMs: 5_000,
  maxRetries: 6,
  maxOutageMs: 60_000,
  fallbackHeartbeatMs: 15_000,
  stopConfirmMs: 2_000,
  random: Math.random,
};

/** The {@link ChatStreamPolicy} in use; tests provide a faster one. */
export const CHAT_STREAM_POLICY = new InjectionToken<ChatStreamPolicy>('ChatStreamPolicy', {
  providedIn: 'root',
  factory: () => DEFAULT_CHAT_STREAM_POLICY,
});

/**
 * The wait before reconnect number `attempt` (1-based): exponential, capped, with "equal jitter"
 * (half fixed, half random) so that many clients cut by one proxy restart do not all come back in
 * the same millisecond, while each delay stays at least half its nominal value.
 */
export function retryDelay(attempt: number, policy: ChatStreamPolicy): number {
  const nominal = Math.min(
    policy.maxRetryDelayMs,
    policy.firstRetryDelayMs * 2 ** Math.max(0, attempt - 1),
  );
  return Math.round(nominal / 2 + (policy.random() * nominal) / 2);
}
