/**
 * Durations counted in buckets of `resolutionMs` up to `maxMs` (longer ones in the last bucket),
 * so percentiles of a million gaps cost a few megabytes and no sort.
 */
export class GapHistogram {
  /** Samples added. */
  count = 0;
  /** The longest sample added, in milliseconds. */
  max = 0;
  private readonly buckets: Uint32Array;

  constructor(
    maxMs = 120_000,
    private readonly resolutionMs = 0.1,
  ) {
    this.buckets = new Uint32Array(Math.ceil(maxMs / resolutionMs) + 1);
  }

  /** Counts `ms` `times` times. */
  add(ms: number, times = 1): void {
    const bucket = Math.min(
      this.buckets.length - 1,
      Math.max(0, Math.floor(ms / this.resolutionMs)),
    );
    this.buckets[bucket] += times;
    this.count += times;
    if (ms > this.max) this.max = ms;
  }

  /** The p-th percentile (0–100), as the upper edge of its bucket; NaN when empty. */
  percentile(p: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.min(this.count, Math.max(1, Math.ceil((p / 100) * this.count)));
    let seen = 0;
    for (let bucket = 0; bucket < this.buckets.length; bucket += 1) {
      seen += this.buckets[bucket];
      if (seen >= rank) return Math.min(this.max, (bucket + 1) * this.resolutionMs);
    }
    return this.max;
  }
}
