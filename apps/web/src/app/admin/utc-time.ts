const UTC_PARTS = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'UTC',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/**
 * An instant as the admin page shows it, in UTC as its reports are: `2026-12-07 22:15`, or with
 * `seconds`, `2026-12-07 22:15:09`. (Intl, not Angular's `DatePipe`: the pipe's code would join
 * every chat's first download.)
 */
export function utcTime(iso: string, seconds = false): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    UTC_PARTS.formatToParts(date).find((p) => p.type === type)?.value ?? '';
  const time = `${part('hour')}:${part('minute')}${seconds ? `:${part('second')}` : ''}`;
  return `${part('year')}-${part('month')}-${part('day')} ${time}`;
}
