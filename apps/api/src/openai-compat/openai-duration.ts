const SECOND_MS = 1_000;

/**
 * A duration as OpenAI's `x-ratelimit-reset-*` headers write it (Go's `time.Duration` form):
 * `20ms` under a second, otherwise hours, minutes and seconds from the largest unit that is not
 * zero: `1s`, `59s`, `1m0s`, `6m0s`, `6h12m3s`. It is rounded up, so a caller that waits as told
 * is never early, and to whole seconds from a second on, where Go would write fractions (`1.5s`):
 * whole numbers are what the simple parsers clients use (`(\d+)(h|m|s|ms)`) read right.
 */
export function formatOpenAiDuration(ms: number): string {
  const whole = Number.isFinite(ms) ? Math.max(0, Math.ceil(ms)) : 0;
  if (whole === 0) return '0s';
  if (whole < SECOND_MS) return `${whole}ms`;
  const seconds = Math.ceil(whole / SECOND_MS);
  const hours = Math.floor(seconds / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  const rest = `${seconds % 60}s`;
  if (hours > 0) return `${hours}h${minutes}m${rest}`;
  return minutes > 0 ? `${minutes}m${rest}` : rest;
}
