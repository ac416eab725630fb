import { createHash } from 'node:crypto';
import type { ChatRequest } from '@tokenstream/stream-contracts';
import { badIdempotencyKey } from './stream-errors';
import type { IdempotencyClaim } from './stream-store';

/** What a key may be: 1 to 255 visible ASCII characters (a UUID, as clients send, is 36). */
const KEY = /^[\x21-\x7e]{1,255}$/;

/** The `Idempotency-Key` header's value, or undefined without one; anything else is a `400`. */
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (KEY.test(header)) return header;
  throw badIdempotencyKey();
}

/**
 * The claim of `principalId`'s request on its `key`, held for `ttlMs`: the key is scoped to its
 * caller, and the request is known by a digest of the route (`api`) and its body.
 */
export function idempotencyClaim(
  principalId: string,
  key: string,
  api: string,
  request: ChatRequest,
  ttlMs: number,
): IdempotencyClaim {
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([api, request]))
    .digest('base64url');
  return { key: `${principalId}\n${key}`, fingerprint, ttlMs };
}
