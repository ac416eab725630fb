import { badLastEventId } from './stream-errors';

const POSITION = /^\d{1,15}$/;

/**
 * The position a reader resumes after: the `Last-Event-ID` header (what `EventSource` sends when
 * it reconnects), else the `lastEventId` query parameter, else 0 (from the start).
 * Anything but a whole number is a `400`: a silent restart from 0 would repeat the reply.
 */
export function parseLastEventId(header: string | undefined, query: unknown): number {
  const raw = header ?? (typeof query === 'string' ? query : undefined);
  if (raw === undefined || raw === '') return 0;
  if (!POSITION.test(raw.trim())) {
    throw badLastEventId(raw);
  }
  return Number(raw.trim());
}
