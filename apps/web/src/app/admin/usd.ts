const CENTS = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 4,
});

/** Below a hundredth of a cent, two significant digits: what short replies of cheap models cost. */
const FRACTIONS_OF_A_CENT = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  maximumSignificantDigits: 2,
});

/**
 * An amount in US dollars, to the cent and below it where it has more: `$0.0042`, `$12.50`; an
 * amount under $0.0001 to two significant digits (`$0.0000033`), so that money spent is never
 * shown as `$0.00`, which the page keeps for nothing spent (or a model without a price).
 */
export function usd(amount: number): string {
  return amount !== 0 && Math.abs(amount) < 0.0001
    ? FRACTIONS_OF_A_CENT.format(amount)
    : CENTS.format(amount);
}
