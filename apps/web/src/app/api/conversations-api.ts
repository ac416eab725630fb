import { inject, Injectable } from '@angular/core';
import type {
  Conversation,
  ConversationPage,
  ConversationSummary,
} from '@tokenstream/stream-contracts';
import { callApi } from './api-json';
import { CHAT_AUTH_TOKEN } from './auth-token';

const CONVERSATIONS = '/api/conversations';

/** The api could not do what was asked (not found, refused, unavailable): `status` says which. */
export class ConversationsApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ConversationsApiError';
  }
}

/** The caller's kept conversations on the api (`/api/conversations`). */
@Injectable({ providedIn: 'root' })
export class ConversationsApi {
  private readonly token = inject(CHAT_AUTH_TOKEN);

  /** A page of conversations, newest first; `query` finds titles and message text. */
  async list(
    options: { query?: string; cursor?: string; signal?: AbortSignal } = {},
  ): Promise<ConversationPage> {
    const params = new URLSearchParams();
    if (options.query) params.set('q', options.query);
    if (options.cursor) params.set('cursor', options.cursor);
    const search = params.size > 0 ? `?${params}` : '';
    return this.expect<ConversationPage>('GET', `${CONVERSATIONS}${search}`, {
      signal: options.signal,
    });
  }

  /** One conversation with every branch; rejects with status 404 when it is gone or not yours. */
  get(id: string, signal?: AbortSignal): Promise<Conversation> {
    return this.expect<Conversation>('GET', `${CONVERSATIONS}/${encodeURIComponent(id)}`, {
      signal,
    });
  }

  rename(id: string, title: string): Promise<ConversationSummary> {
    return this.expect('PATCH', `${CONVERSATIONS}/${encodeURIComponent(id)}`, { body: { title } });
  }

  /** Remembers which branch is shown, so another device or a reload shows the same one. */
  async showBranch(id: string, activeLeafId: string): Promise<void> {
    await this.expect('PATCH', `${CONVERSATIONS}/${encodeURIComponent(id)}`, {
      body: { activeLeafId },
    });
  }

  /** `keepalive`: the request outlives the page (a delete confirmed as the tab closes). */
  async delete(id: string, keepalive = false): Promise<void> {
    await this.expect('DELETE', `${CONVERSATIONS}/${encodeURIComponent(id)}`, { keepalive });
  }

  private async expect<T>(
    method: 'GET' | 'PATCH' | 'DELETE',
    path: string,
    options: { body?: unknown; signal?: AbortSignal; keepalive?: boolean },
  ): Promise<T> {
    const answer = await callApi(method, path, this.token, options);
    if (answer.ok) return answer.body as T;
    const message =
      typeof answer.body === 'object' && answer.body !== null && 'message' in answer.body
        ? String(answer.body.message)
        : `The api answered ${answer.status}.`;
    throw new ConversationsApiError(answer.status, message);
  }
}
