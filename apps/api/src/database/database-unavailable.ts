import { ErrorCodes } from '@tokenstream/stream-contracts';
import { ApiException } from '../common/api-exception';

/** Seconds a client is asked to wait when the database cannot be reached. */
const DATABASE_RETRY_AFTER_SECONDS = '2';

/** The `503` while the database is out of reach; `what` names what the caller could not reach. */
export function databaseUnavailable(what: string): ApiException {
  return new ApiException(
    503,
    ErrorCodes.databaseUnavailable,
    `${what} cannot be reached right now. Please try again in a moment.`,
    undefined,
    { 'Retry-After': DATABASE_RETRY_AFTER_SECONDS },
  );
}
