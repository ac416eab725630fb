import { formatOpenAiDuration } from './openai-duration';

describe('formatOpenAiDuration', () => {
  it.each([
    [20, '20ms'],
    [1, '1ms'],
    [999, '999ms'],
    [1_000, '1s'],
    [59_000, '59s'],
    [60_000, '1m0s'],
    [360_000, '6m0s'],
    [(6 * 3_600 + 12 * 60 + 3) * 1_000, '6h12m3s'],
    [3_600_000, '1h0m0s'],
    [86_400_000, '24h0m0s'],
  ])('writes %d ms as OpenAI does: %s', (ms, written) => {
    expect(formatOpenAiDuration(ms)).toBe(written);
  });

  it('rounds up, so that a caller waiting as told is never early', () => {
    expect(formatOpenAiDuration(0.2)).toBe('1ms');
    expect(formatOpenAiDuration(999.5)).toBe('1s');
    expect(formatOpenAiDuration(1_001)).toBe('2s');
    expect(formatOpenAiDuration(59_999)).toBe('1m0s');
    expect(formatOpenAiDuration(3_599_001)).toBe('1h0m0s');
  });

  it('writes whole numbers only, as the simple parsers clients use read them', () => {
    for (const ms of [1, 20, 1_500, 61_250, 22_383_499, 86_399_999]) {
      expect(formatOpenAiDuration(ms)).toMatch(/^(\d+h)?(\d+m)?\d+(ms|s)$/);
    }
  });

  it('writes nothing left, or a value that is not a duration, as 0s', () => {
    expect(formatOpenAiDuration(0)).toBe('0s');
    expect(formatOpenAiDuration(-5)).toBe('0s');
    expect(formatOpenAiDuration(Number.NaN)).toBe('0s');
  });
});
