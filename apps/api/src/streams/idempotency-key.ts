import { ErrorCodes, IDEMPOTENCY_KEY_HEADER } from '@tokenstream/stream-contracts';
import { ApiException } from '../common/api-exception';

/** What a key may be: 1 to 255 visible ASCII characters (a UUID, as clients send, is 36). */
const KEY = /^[\x21-\x7e]{1,255}$/;

/** The `Idempotency-Key` header's value, or undefined without one; anything else is a `400`. */
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (KEY.test(header)) return header;
  throw new ApiException(
    400,
    ErrorCodes.invalidRequest,
    `${IDEMPOTENCY_KEY_HEADER} must be 1 to 255 visible ASCII characters, such as a UUID.`,
    [{ path: IDEMPOTENCY_KEY_HEADER, message: 'must be 1 to 255 visible ASCII characters' }],
  );
}
