const CENTS = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 4,
});

/** An amount in US dollars, to the cent and below it where it has more: `$0.0042`, `$12.50`. */
export function usd(amount: number): string {
  return CENTS.format(amount);
}
