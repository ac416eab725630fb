import { usd } from './usd';

describe('usd', () => {
  it('shows dollars to the cent, and below it where the amount has more', () => {
    expect(usd(12.5)).toBe('$12.50');
    expect(usd(0.00421)).toBe('$0.0042');
    expect(usd(1234)).toBe('$1,234.00');
    expect(usd(0)).toBe('$0.00');
  });

  it('never shows money spent as $0.00: a short reply of a cheap model costs a fraction of a cent', () => {
    // 6 prompt and 4 completion tokens at $0.15 and $0.60 a million (gpt-4o-mini's price).
    expect(usd((6 * 0.15 + 4 * 0.6) / 1e6)).toBe('$0.0000033');
    expect(usd(0.000015)).toBe('$0.000015');
    expect(usd(0.00009996)).toBe('$0.0001');
    expect(usd(0.0001)).toBe('$0.0001');
  });
});
