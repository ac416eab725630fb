import { Injectable } from '@angular/core';
import { ApiPaths, MeResponse } from '@tokenstream/stream-contracts';

/** Reads who the api takes this browser's user to be (`GET /api/me`). */
@Injectable({ providedIn: 'root' })
export class CurrentUser {
  /** Fetches `GET /api/me`; rejects when the answer is not a {@link MeResponse} (e.g. a 401). */
  async load(signal?: AbortSignal): Promise<MeResponse> {
    const response = await fetch(ApiPaths.me, {
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
      signal,
    });
    const body: unknown = response.ok ? await response.json() : undefined;
    if (!isMeResponse(body)) throw new Error(`GET ${ApiPaths.me} answered HTTP ${response.status}`);
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
