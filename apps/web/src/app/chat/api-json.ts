import { requestHeaders, unauthenticatedError } from '@tokenstream/stream-client';
import { ChatAuthTokenProvider } from './auth-token';

/**
 * `GET path` for a small JSON answer (`/api/me`, `/api/models`), with the access token when there
 * is one. Resolves to the parsed body of a `2xx` JSON answer, `undefined` for any other answer.
 * Rejects with a `ChatClientError` of kind `unauthenticated` when the session is gone: a `401`, a
 * redirect (an SSO proxy sending us to its login page) or a login page instead of JSON.
 */
export async function getJson(
  path: string,
  token: ChatAuthTokenProvider,
  signal?: AbortSignal,
): Promise<unknown> {
  const response = await fetch(path, {
    headers: await requestHeaders({ baseUrl: '', token }, { Accept: 'application/json' }),
    credentials: 'same-origin',
    redirect: 'manual',
    signal,
  });
  const mediaType = (response.headers.get('Content-Type') ?? '').split(';')[0].trim().toLowerCase();
  if (
    response.type === 'opaqueredirect' ||
    response.status === 401 ||
    ((response.ok || response.status === 403) && mediaType === 'text/html')
  ) {
    response.body?.cancel().catch(() => undefined);
    throw unauthenticatedError(response.status);
  }
  if (!response.ok || !mediaType.endsWith('json')) {
    response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}
