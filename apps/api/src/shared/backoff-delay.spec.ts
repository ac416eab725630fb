import { backoffDelay } from './backoff-delay';

describe('backoffDelay', () => {
  it('doubles the first wait with each retry, up to the longest', () => {
    const waits = [0, 1, 2, 3, 4, 5].map((retries) =>
      backoffDelay(retries, { firstMs: 100, maxMs: 2_000 }),
    );
    expect(waits).toEqual([100, 200, 400, 800, 1_600, 2_000]);
  });

  it('doubles on without a longest wait', () => {
    expect(backoffDelay(10, { firstMs: 250 })).toBe(256_000);
  });

  it('draws a whole number of ms below the capped wait with full jitter', () => {
    const backoff = { firstMs: 500, maxMs: 8_000 };
    expect(backoffDelay(0, backoff, 0)).toBe(0);
    expect(backoffDelay(0, backoff, 0.5)).toBe(250);
    expect(backoffDelay(1, backoff, 0.9999)).toBe(999);
    expect(backoffDelay(9, backoff, 0.5)).toBe(4_000);
  });
});
