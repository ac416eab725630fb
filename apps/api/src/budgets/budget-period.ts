import type { Budget } from '@tokenstream/stream-contracts';

/** When the budget's current period began: the UTC day's or month's start. */
export function periodStart(period: Budget['period'], now: number): Date {
  const at = new Date(now);
  return period === 'day'
    ? new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()))
    : new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}
