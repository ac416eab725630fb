import { ErrorCodes, LAST_EVENT_ID_HEADER } from '@tokenstream/stream-contracts';
import { ApiException } from '../common/api-exception';

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
    throw new ApiException(
      400,
      ErrorCodes.invalidRequest,
      `${LAST_EVENT_ID_HEADER} must be the id of a frame of this stream (a whole number), not ${JSON.stringify(raw.slice(0, 40))}.`,
      [{ path: LAST_EVENT_ID_HEADER, message: 'must be a whole number' }],
    );
  }
  return Number(raw.trim());
}
