import { requestHeaders, unauthenticatedError } from '@tokenstream/stream-client';
import { ChatAuthTokenProvider } from './auth-token';

/** What {@link callApi} got back: the status, and the parsed JSON body when there was one. */
export interface ApiAnswer {
  status: number;
  ok: boolean;
  body: unknown;
}

/**
 * Calls the api for a small JSON answer, with the access token when there is one. Rejects with a
 * `ChatClientError` of kind `unauthenticated` when the session is gone: a `401`, a redirect (an SSO
 * proxy sending us to its login page) or a login page instead of JSON; with a `TypeError` when the
 * network failed. Any other answer resolves, with `body` undefined unless it was JSON.
 */
export async function callApi(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  token: ChatAuthTokenProvider,
  options: { body?: unknown; signal?: AbortSignal; keepalive?: boolean } = {},
): Promise<ApiAnswer> {
  const extra: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) extra['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers: await requestHeaders({ baseUrl: '', token }, extra),
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    credentials: 'same-origin',
    redirect: 'manual',
    signal: options.signal,
    keepalive: options.keepalive,
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
  if (!mediaType.endsWith('json')) {
    response.body?.cancel().catch(() => undefined);
    return { status: response.status, ok: response.ok, body: undefined };
  }
  const body: unknown = await response.json().catch(() => undefined);
  return { status: response.status, ok: response.ok, body };
}

/**
 * `GET path` for a small JSON answer (`/api/me`, `/api/models`): the parsed body of a `2xx` JSON
 * answer, `undefined` for any other answer; rejects as {@link callApi} does.
 */
export async function getJson(
  path: string,
  token: ChatAuthTokenProvider,
  signal?: AbortSignal,
): Promise<unknown> {
  const answer = await callApi('GET', path, token, { signal });
  return answer.ok ? answer.body : undefined;
}
