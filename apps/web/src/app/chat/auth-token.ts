import { InjectionToken } from '@angular/core';
import { ChatStreamError } from './chat-stream-error';

/**
 * Gives the access token to send as `Authorization: Bearer <token>`, or `undefined` to send none.
 * It is called before every request, so it may return a refreshed token each time.
 */
export type ChatAuthTokenProvider = () => string | undefined | Promise<string | undefined>;

/**
 * The access token for deployments where the browser holds one (an OIDC client in the page). By
 * default there is none: behind an SSO proxy the session cookie is the credential. Provide it with
 * `{ provide: CHAT_AUTH_TOKEN, useFactory: () => { const auth = inject(MyAuth); return () => auth.token(); } }`.
 */
export const CHAT_AUTH_TOKEN = new InjectionToken<ChatAuthTokenProvider>('ChatAuthToken', {
  providedIn: 'root',
  factory: () => () => undefined,
});

/**
 * The `Authorization` header for `provider`'s token: `{}` when it gives none. A provider that
 * throws (the token could not be refreshed) fails as `unauthenticated`: signing in again is the fix.
 */
export async function authorizationOf(
  provider: ChatAuthTokenProvider,
): Promise<Record<string, string>> {
  let token: string | undefined;
  try {
    token = await provider();
  } catch (cause) {
    throw new ChatStreamError({
      kind: 'unauthenticated',
      retryable: false,
      cause,
      message: 'Your session has expired. Sign in again to continue.',
    });
  }
  return token ? { Authorization: `Bearer ${token}` } : {};
}
