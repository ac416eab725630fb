/** How patiently a dropped stream is resumed, and how a silent connection is recognised. */
export interface ResumePolicy {
  /** Reconnections tried in a row without a new frame before giving up. */
  maxAttempts: number;
  /** The first wait; each further one doubles, with jitter, up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** How long an outage (first failure to now, no new frame) may last before giving up. */
  maxOutageMs: number;
  /** The keep-alive interval assumed when the api does not send `X-Stream-Heartbeat-Ms`. */
  fallbackHeartbeatMs: number;
  /** A number in [0, 1) for the jitter: `Math.random` unless a test fixes it. */
  random: () => number;
}

/** The default {@link ResumePolicy}: 6 tries within a minute, 250 ms doubling to 5 s. */
export const DEFAULT_RESUME_POLICY: ResumePolicy = {
  maxAttempts: 6,
  initialDelayMs: 250,
  maxDelayMs: 5_000,
  maxOutageMs: 60_000,
  fallbackHeartbeatMs: 15_000,
  random: Math.random,
};

/**
 * The wait before reconnect number `attempt` (1-based): exponential, capped, with "equal jitter"
 * (half fixed, half random) so that many clients cut by one proxy restart do not all come back in
 * the same millisecond, while each delay stays at least half its nominal value.
 */
export function reconnectDelay(attempt: number, policy: ResumePolicy): number {
  const nominal = Math.min(
    policy.maxDelayMs,
    policy.initialDelayMs * 2 ** Math.max(0, attempt - 1),
  );
  return Math.round(nominal / 2 + (policy.random() * nominal) / 2);
}
