import { inject, Injectable } from '@angular/core';
import { ApiPaths, MeResponse } from '@tokenstream/stream-contracts';
import { getJson } from './api-json';
import { CHAT_AUTH_TOKEN } from './auth-token';

/** Reads who the api takes this browser's user to be (`GET /api/me`). */
@Injectable({ providedIn: 'root' })
export class CurrentUser {
  private readonly token = inject(CHAT_AUTH_TOKEN);

  /**
   * Fetches `GET /api/me`. Rejects with a `ChatClientError` of kind `unauthenticated` when the
   * session is gone, and with an `Error` when the answer is not a {@link MeResponse}.
   */
  async load(signal?: AbortSignal): Promise<MeResponse> {
    const body = await getJson(ApiPaths.me, this.token, signal);
    if (!isMeResponse(body)) throw new Error(`GET ${ApiPaths.me} did not answer who is signed in`);
    return body;
  }
}

function isMeResponse(value: unknown): value is MeResponse {
  if (typeof value !== 'object' || value === null) return false;
  const body = value as Partial<Record<keyof MeResponse, unknown>>;
  return typeof body.id === 'string' && typeof body.kind === 'string' && Array.isArray(body.groups);
}

/** How to show a signed-in user: name, else email, else nothing (anonymous callers show nothing). */
export function displayNameOf(me: MeResponse | undefined): string | undefined {
  if (!me || me.kind === 'anonymous') return undefined;
  return me.name ?? me.email ?? me.id;
}
