import type { PeriodQuery } from '@tokenstream/stream-contracts';

/** A period as the page shows it: two UTC dates (`YYYY-MM-DD`), both days included. */
export interface DateRange {
  from: string;
  /** The last day included (the api's `to` is the day after: exclusive). */
  through: string;
}

const DAY_MS = 86_400_000;

/** `date` as the UTC calendar date `YYYY-MM-DD`. */
export function utcDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The current UTC month, first to last day: what the api reports when told no period. */
export function thisUtcMonth(now = new Date()): DateRange {
  const first = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  return { from: utcDate(new Date(first)), through: utcDate(new Date(next - DAY_MS)) };
}

/** The api's `?from=&to=` for `range`: `to` is the day after the last one included. */
export function periodQueryOf(range: DateRange): PeriodQuery {
  const after = new Date(Date.parse(`${range.through}T00:00:00Z`) + DAY_MS);
  return { from: range.from, to: utcDate(after) };
}

/** Every UTC date of `range`, in order; empty when it is backwards or not two dates. */
export function daysOf(range: DateRange): string[] {
  const first = Date.parse(`${range.from}T00:00:00Z`);
  const last = Date.parse(`${range.through}T00:00:00Z`);
  if (Number.isNaN(first) || Number.isNaN(last)) return [];
  const days: string[] = [];
  for (let at = first; at <= last; at += DAY_MS) days.push(utcDate(new Date(at)));
  return days;
}

/**
 * The range two date fields name, or why it cannot be asked for: each must be a date, and the
 * first no later than the last.
 */
export function dateRangeFrom(
  from: string,
  through: string,
): { ok: true; range: DateRange } | { ok: false; problem: string } {
  const isDate = (value: string) =>
    /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value));
  if (!isDate(from) || !isDate(through)) return { ok: false, problem: 'Choose both dates.' };
  if (from > through) return { ok: false, problem: 'The first day must not be after the last.' };
  return { ok: true, range: { from, through } };
}
