import { DEFAULT_RESUME_POLICY } from './resume-policy';

/** The shortest keep-alive interval believed: the least the api's `STREAM_HEARTBEAT_MS` accepts. */
export const MIN_HEARTBEAT_MS = 10;

/** The longest keep-alive interval believed: the most the api's `STREAM_HEARTBEAT_MS` accepts. */
export const MAX_HEARTBEAT_MS = 600_000;

/**
 * How often keep-alives are to be expected on a connection, from its `X-Stream-Heartbeat-Ms`
 * (`announced`, `null` when absent), the one place the value is checked. What is not a positive
 * number (absent, `0`, negative, not a number) means `fallbackMs` (or, if that is no positive
 * number either, the default policy's); anything else is held to
 * [{@link MIN_HEARTBEAT_MS}, {@link MAX_HEARTBEAT_MS}]. Unchecked, `1e30` would become a timer
 * past `setTimeout`'s 2^31-1 ms, which runs it after 1 ms, again and again.
 */
export function expectedHeartbeatMs(announced: string | null, fallbackMs: number): number {
  const value = announced === null ? Number.NaN : Number(announced);
  const fallback = fallbackMs > 0 ? fallbackMs : DEFAULT_RESUME_POLICY.fallbackHeartbeatMs;
  const ms = value > 0 ? value : fallback;
  return Math.min(MAX_HEARTBEAT_MS, Math.max(MIN_HEARTBEAT_MS, ms));
}
