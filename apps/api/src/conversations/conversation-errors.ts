import { ErrorCodes } from '@tokenstream/stream-contracts';
import { ApiException } from '../common/api-exception';

/** Every refusal the conversation routes answer with, one text each. */

/** Seconds a client is asked to wait when the database cannot be reached. */
const DATABASE_RETRY_AFTER_SECONDS = '2';

/** The `404` for a conversation that does not exist, or is someone else's. */
export function conversationNotFound(): ApiException {
  return new ApiException(404, ErrorCodes.conversationNotFound, 'No such conversation.');
}

/** The `503` while the database is out of reach. */
export function databaseUnavailable(): ApiException {
  return new ApiException(
    503,
    ErrorCodes.databaseUnavailable,
    'Conversations cannot be reached right now. Please try again in a moment.',
    undefined,
    { 'Retry-After': DATABASE_RETRY_AFTER_SECONDS },
  );
}

/** A `400` naming the one field of the request that is wrong. */
export function invalidField(path: string, message: string): ApiException {
  return new ApiException(400, ErrorCodes.invalidRequest, `Invalid request: ${path}`, [
    { path, message },
  ]);
}

/** A `400` for a turn that does not fit its conversation. */
export function badTurn(message: string): ApiException {
  return new ApiException(400, ErrorCodes.invalidRequest, `Invalid request: ${message}`, [
    { path: 'conversation', message },
  ]);
}
