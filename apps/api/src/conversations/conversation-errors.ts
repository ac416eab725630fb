import { ErrorCodes } from '@tokenstream/stream-contracts';
import { ApiException } from '../common/api-exception';
import { databaseUnavailable } from '../database/database-unavailable';

/** Every refusal the conversation routes answer with, one text each. */

/** The `404` for a conversation that does not exist, or is someone else's. */
export function conversationNotFound(): ApiException {
  return new ApiException(404, ErrorCodes.conversationNotFound, 'No such conversation.');
}

/** The `503` while the database is out of reach. */
export function conversationsUnavailable(): ApiException {
  return databaseUnavailable('Conversations');
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
