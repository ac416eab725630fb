import { InjectionToken } from '@angular/core';

/**
 * Gives the access token to send as `Authorization: Bearer <token>`, or `undefined` to send none.
 * It is called before every request, so it may return a refreshed token each time; one that throws
 * (the token could not be refreshed) fails the request as `unauthenticated`.
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
