import { unauthenticatedError } from './chat-client-error';

/** Where the api is and how to call it: what every route of the client needs. */
export interface ClientOptions {
  /** The api's origin, e.g. `https://chat.example.com`; `''` for the page's own origin in a browser. */
  baseUrl: string;
  /** Extra headers for every request (e.g. `X-API-Key`). */
  headers?: Record<string, string>;
  /**
   * A bearer token, or a function giving one per request (so it can be refreshed). A function that
   * throws fails the call as `unauthenticated`: signing in again is the fix, not another try.
   */
  token?: string | (() => string | undefined | Promise<string | undefined>);
  /** `fetch`'s credentials mode: a browser page calling another origin with cookies wants `include`. */
  credentials?: RequestCredentials;
  /** The `fetch` to use; the global one (looked up at each call) by default. */
  fetch?: typeof fetch;
}

/** The headers of one request: `options.headers`, `extra`, and the token as `Authorization`. */
export async function requestHeaders(
  options: ClientOptions,
  extra: Record<string, string> = {},
): Promise<Record<string, string>> {
  const headers = { ...options.headers, ...extra };
  let token: string | undefined;
  try {
    token = typeof options.token === 'function' ? await options.token() : options.token;
  } catch (cause) {
    throw unauthenticatedError(undefined, cause);
  }
  if (token) headers['Authorization'] = `Bearer ${token}`;
  return headers;
}

/**
 * The `fetch` settings every call shares. The api never redirects, so a redirect is an SSO proxy
 * sending us to its login page, often on another origin where following it would end in an opaque
 * CORS failure: it is not followed, and reads as an expired session.
 */
function requestInit(options: ClientOptions, signal?: AbortSignal): RequestInit {
  return {
    credentials: options.credentials ?? 'same-origin',
    cache: 'no-store',
    redirect: 'manual',
    signal,
  };
}

/** Calls `fetch` (the option's, or the global one as it is now: tests and polyfills replace it). */
export function fetchWith(
  options: ClientOptions,
  url: string,
  init: RequestInit,
): Promise<Response> {
  return (options.fetch ?? fetch)(url, init);
}

/** `path` on the api at `baseUrl`. */
function apiUrl(options: ClientOptions, path: string): string {
  return options.baseUrl.replace(/\/+$/, '') + path;
}

/** What one call to the api sends besides its method and path. */
export interface ApiCall {
  signal?: AbortSignal;
  /** Headers of this call, on top of `options.headers` and the token. */
  headers?: Record<string, string>;
  body?: string;
}

/**
 * The URL and `fetch` settings of one call to the api, as every route sends it: the shared
 * settings, the token as `Authorization`, `options.headers` and the call's own.
 */
export async function apiRequest(
  options: ClientOptions,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  call: ApiCall = {},
): Promise<[string, RequestInit]> {
  const headers = await requestHeaders(options, call.headers);
  const init: RequestInit = { ...requestInit(options, call.signal), method, headers };
  if (call.body !== undefined) init.body = call.body;
  return [apiUrl(options, path), init];
}
