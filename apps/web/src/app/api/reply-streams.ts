import { DOCUMENT, inject, Injectable } from '@angular/core';
import { ChatRequest } from '@tokenstream/stream-contracts';
import {
  ChatClientError,
  ChatStreamEvent,
  interruptedError,
  resumeChat,
  stopStream,
  streamChat,
  type ChatStream,
  type StreamChatOptions,
} from '@tokenstream/stream-client';
import { Observable } from 'rxjs';
import { CHAT_AUTH_TOKEN } from './auth-token';
import { CHAT_STREAM_POLICY } from './chat-stream-policy';

/**
 * Streams chat replies for the app, as Observables over `@tokenstream/stream-client` (which holds
 * the protocol's resume logic for every TypeScript caller): `POST /api/chat/stream` to start one,
 * `GET /api/streams/:id/events` to pick it up again after a cut, `DELETE /api/streams/:id` to stop
 * it. Same-origin, with the session cookie and, when the app has one, the access token.
 */
@Injectable({ providedIn: 'root' })
export class ReplyStreams {
  private readonly policy = inject(CHAT_STREAM_POLICY);
  private readonly token = inject(CHAT_AUTH_TOKEN);
  private readonly window = inject(DOCUMENT).defaultView ?? undefined;

  /**
   * Sends `request` and emits the reply: every frame once and in order, `start` first and `finish`
   * or `error` last, then completes. A connection that breaks, goes silent or goes offline is
   * resumed from the last frame received, with `reconnecting` and `connected` events around it.
   * Fails with a {@link ChatClientError} when no stream opens, or when resuming gives up.
   * Nothing is sent until subscription; unsubscribing aborts the connection (not the generation:
   * see {@link stop}).
   */
  stream(request: ChatRequest): Observable<ChatStreamEvent> {
    return this.observe((options) => streamChat(request, options));
  }

  /**
   * Picks up the stream `streamId` after the frame `lastEventId` (from its start when undefined),
   * as {@link stream} does after a cut: the frames that followed it, then the live tail. Fails
   * with kind `gone` when the api no longer has the stream.
   */
  resume(streamId: string, lastEventId?: string): Observable<ChatStreamEvent> {
    return this.observe((options) => resumeChat({ streamId, lastEventId }, options));
  }

  /**
   * Asks the api to stop generating `streamId` (`DELETE`). Resolves once the api accepted it; its
   * readers then get `finish` with `finishReason: "cancelled"`. Rejects with a
   * {@link ChatClientError} when it did not (unknown stream, network, session expired).
   */
  stop(streamId: string, signal?: AbortSignal): Promise<void> {
    return stopStream(streamId, this.options(signal));
  }

  private observe(open: (options: StreamChatOptions) => ChatStream): Observable<ChatStreamEvent> {
    return new Observable<ChatStreamEvent>((subscriber) => {
      const controller = new AbortController();
      const read = async (): Promise<void> => {
        for await (const event of open(this.options(controller.signal)).events()) {
          subscriber.next(event);
        }
        subscriber.complete();
      };
      read().catch((error: unknown) => {
        // Leaving aborts the reading, which then fails with the abort: nobody is listening.
        if (controller.signal.aborted) return;
        subscriber.error(error instanceof ChatClientError ? error : interruptedError(error));
      });
      return () => controller.abort();
    });
  }

  private options(signal: AbortSignal | undefined): StreamChatOptions {
    return {
      baseUrl: '',
      token: this.token,
      resume: this.policy,
      connectivity: this.window,
      signal,
    };
  }
}
