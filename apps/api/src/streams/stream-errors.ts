import {
  ErrorCodes,
  IDEMPOTENCY_KEY_HEADER,
  LAST_EVENT_ID_HEADER,
} from '@tokenstream/stream-contracts';
import { ApiException } from '../common/api-exception';

/**
 * Every refusal a stream's routes answer with before a stream opens: one text each, so the same
 * problem reads the same wherever it is found. After a stream opens, problems are frames instead.
 */

/** Seconds a client is asked to wait before retrying while this instance shuts down. */
const SHUTDOWN_RETRY_AFTER_SECONDS = '5';

/** Seconds a client is asked to wait when the stream store has no room for another reply. */
const STORE_FULL_RETRY_AFTER_SECONDS = '5';

/** Seconds a client is asked to wait when the stream store cannot be reached. */
const STORE_UNAVAILABLE_RETRY_AFTER_SECONDS = '2';

/** The `404` for a stream that never existed, has expired, or is someone else's. */
export function streamNotFound(): ApiException {
  return new ApiException(
    404,
    ErrorCodes.streamNotFound,
    'No such stream: it never existed or has expired.',
  );
}

/** The `503` while this instance drains: another instance (or this one, restarted) will answer. */
export function shuttingDown(): ApiException {
  return new ApiException(
    503,
    ErrorCodes.serverShuttingDown,
    'The server is restarting. Please try again in a moment.',
    undefined,
    { 'Retry-After': SHUTDOWN_RETRY_AFTER_SECONDS },
  );
}

/** The `503` for a stream that would not fit in the store: every byte is spoken for. */
export function storeFull(): ApiException {
  return new ApiException(
    503,
    ErrorCodes.serverBusy,
    'The server is answering as many replies as it can hold. Please try again in a moment.',
    undefined,
    { 'Retry-After': STORE_FULL_RETRY_AFTER_SECONDS },
  );
}

/** The `503` for a store that failed to answer: a shared store out of reach, for a moment. */
export function storeUnavailable(): ApiException {
  return new ApiException(
    503,
    ErrorCodes.storeUnavailable,
    'Replies cannot be stored or read right now. Please try again in a moment.',
    undefined,
    { 'Retry-After': STORE_UNAVAILABLE_RETRY_AFTER_SECONDS },
  );
}

/** The `400` for a `Last-Event-ID` that is not a frame's id. */
export function badLastEventId(raw: string): ApiException {
  return new ApiException(
    400,
    ErrorCodes.invalidRequest,
    `${LAST_EVENT_ID_HEADER} must be the id of a frame of this stream (a whole number), not ${JSON.stringify(raw.slice(0, 40))}.`,
    [{ path: LAST_EVENT_ID_HEADER, message: 'must be a whole number' }],
  );
}

/** The `400` for a position past the stream's last frame: a reader cannot have seen it. */
export function positionPastEnd(afterSeq: number, lastSeq: number): ApiException {
  return new ApiException(
    400,
    ErrorCodes.invalidRequest,
    `Last-Event-ID ${afterSeq} is past the stream's last frame so far (${lastSeq}).`,
    [{ path: 'Last-Event-ID', message: `must be at most ${lastSeq}` }],
  );
}

/** The `400` for an `Idempotency-Key` no client would send. */
export function badIdempotencyKey(): ApiException {
  return new ApiException(
    400,
    ErrorCodes.invalidRequest,
    `${IDEMPOTENCY_KEY_HEADER} must be 1 to 255 visible ASCII characters, such as a UUID.`,
    [{ path: IDEMPOTENCY_KEY_HEADER, message: 'must be 1 to 255 visible ASCII characters' }],
  );
}

/** The `409` for a key used before with a different request. */
export function idempotencyConflict(): ApiException {
  return new ApiException(
    409,
    ErrorCodes.idempotencyConflict,
    'This Idempotency-Key was used before with a different request. Use a new key for a new message.',
    [{ path: IDEMPOTENCY_KEY_HEADER, message: 'was used with a different request' }],
  );
}
