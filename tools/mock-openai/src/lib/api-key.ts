import type { IncomingHttpHeaders } from 'node:http';

/**
 * True when no key is required, or the request carries it the way either client sends it:
 * `Authorization: Bearer <key>` (OpenAI) or `api-key: <key>` (Azure OpenAI, whose SDK client sends
 * no Authorization header at all).
 */
export function isAuthorized(
  headers: IncomingHttpHeaders,
  requiredKey: string | undefined,
): boolean {
  return (
    requiredKey === undefined ||
    headers.authorization === `Bearer ${requiredKey}` ||
    headers['api-key'] === requiredKey
  );
}
