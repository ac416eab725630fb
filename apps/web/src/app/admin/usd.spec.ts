import { usd } from './usd';

describe('usd', () => {
  it('shows dollars to the cent, and below it where the amount has more', () => {
    expect(usd(12.5)).toBe('$12.50');
    expect(usd(0.00421)).toBe('$0.0042');
    expect(usd(1234)).toBe('$1,234.00');
  });
});
