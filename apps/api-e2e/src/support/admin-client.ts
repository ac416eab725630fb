import type { ApiProcess } from '@tokenstream/e2e-support';

/** Calls `path` on `api` with `key` as a bearer, a JSON body when `init` has one, `accept` if given. */
export function callWithKey(
  api: ApiProcess,
  path: string,
  key?: string,
  init: RequestInit = {},
  accept?: string,
): Promise<Response> {
  return fetch(new URL(path, api.url), {
    ...init,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...(accept ? { accept } : {}),
    },
  });
}

/** The JSON body of an answer that succeeded; fails with its status and body otherwise. */
export async function okJson<T>(response: Response | Promise<Response>): Promise<T> {
  const answered = await response;
  if (!answered.ok) throw new Error(`${answered.status}: ${await answered.text()}`);
  return (await answered.json()) as T;
}
