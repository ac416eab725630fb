/** Milliseconds in a day: JavaScript time has no leap seconds, so every UTC day is this long. */
const DAY_MS = 86_400_000;

/** The UTC day `now` (epoch ms) falls in, as a day number since 1970-01-01. */
export function utcDay(now: number): number {
  return Math.floor(now / DAY_MS);
}

/** Milliseconds from `now` until the next UTC midnight (a full day when `now` is midnight). */
export function msUntilUtcMidnight(now: number): number {
  return (utcDay(now) + 1) * DAY_MS - now;
}
