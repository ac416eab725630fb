/** How the wait between tries grows: from `firstMs`, doubling with each retry, up to `maxMs`. */
export interface Backoff {
  /** The wait before the first retry. */
  firstMs: number;
  /** The longest wait; without it the doubling goes on for as many retries as are made. */
  maxMs?: number;
}

/**
 * The wait before the next try, after `retriesSoFar` retries (0 before the first): exponential
 * backoff, capped. With `random` (a number in [0, 1)) it is "full jitter", a whole number of ms
 * drawn from [0, the capped wait), so that many callers failed by one outage do not all come back
 * in the same millisecond; without it, the capped wait itself.
 */
export function backoffDelay(retriesSoFar: number, backoff: Backoff, random?: number): number {
  const capped = Math.min(backoff.maxMs ?? Infinity, backoff.firstMs * 2 ** retriesSoFar);
  return random === undefined ? capped : Math.floor(random * capped);
}
