import { DOCUMENT, inject, Injectable } from '@angular/core';
import {
  ApiPaths,
  ChatRequest,
  EVENT_STREAM_CONTENT_TYPE,
  HEARTBEAT_HEADER,
  isStartFrame,
  isTerminalFrame,
  LAST_EVENT_ID_HEADER,
  readFrames,
  STREAM_ID_HEADER,
  StreamProtocolError,
} from '@tokenstream/stream-contracts';
import { Observable, Subscriber } from 'rxjs';
import { authorizationOf, CHAT_AUTH_TOKEN, ChatAuthTokenProvider } from './auth-token';
import { ChatStreamError, interruptedError, networkError } from './chat-stream-error';
import { ChatStreamEvent } from './chat-stream-event';
import { CHAT_STREAM_POLICY, ChatStreamPolicy, retryDelay } from './chat-stream-policy';
import { IdleWatchdog } from './idle-watchdog';
import { discardBody, failureOf } from './response-failure';

/**
 * Streams chat replies: `POST /api/chat/stream` to start one, `GET /api/streams/:id/events` to pick
 * it up again after a cut, `DELETE /api/streams/:id` to stop it. `fetch` and its body reader,
 * decoded by the shared `readFrames`, so the browser holds no second SSE parser.
 */
@Injectable({ providedIn: 'root' })
export class ChatStream {
  private readonly policy = inject(CHAT_STREAM_POLICY);
  private readonly token = inject(CHAT_AUTH_TOKEN);
  private readonly window = inject(DOCUMENT).defaultView ?? undefined;

  /**
   * Sends `request` and emits the reply: every frame once and in order, `start` first and `finish`
   * or `error` last, then completes. A connection that breaks, goes silent or goes offline is
   * resumed from the last frame received, with `reconnecting` and `connected` events around it.
   * Fails with a {@link ChatStreamError} when no stream opens, or when resuming gives up.
   * Nothing is sent until subscription; unsubscribing aborts the connection (not the generation:
   * see {@link stop}).
   */
  stream(request: ChatRequest): Observable<ChatStreamEvent> {
    return this.follow({ request });
  }

  /**
   * Picks up the stream `streamId` after the frame `lastEventId` (from its start when undefined),
   * as {@link stream} does after a cut: the frames that followed it, then the live tail. Fails
   * with kind `gone` when the api no longer has the stream.
   */
  resume(streamId: string, lastEventId?: string): Observable<ChatStreamEvent> {
    return this.follow({ streamId, lastEventId });
  }

  /**
   * Asks the api to stop generating `streamId` (`DELETE`). Resolves once the api accepted it; its
   * readers then get `finish` with `finishReason: "cancelled"`. Rejects with a
   * {@link ChatStreamError} when it did not (unknown stream, network, session expired).
   */
  async stop(streamId: string, signal?: AbortSignal): Promise<void> {
    const authorization = await authorizationOf(this.token);
    let response: Response;
    try {
      response = await fetch(ApiPaths.stream(streamId), {
        method: 'DELETE',
        headers: authorization,
        credentials: 'same-origin',
        redirect: 'manual',
        signal,
      });
    } catch (error) {
      throw networkError(error);
    }
    const failure = response.ok ? undefined : await failureOf(response, { resuming: true });
    discardBody(response);
    if (failure) throw failure;
  }

  private follow(start: FollowStart): Observable<ChatStreamEvent> {
    return new Observable<ChatStreamEvent>((subscriber) => {
      const controller = new AbortController();
      const follower = new StreamFollower(
        start,
        this.policy,
        this.token,
        subscriber,
        controller.signal,
        this.window,
      );
      follower.run().catch((error: unknown) => {
        // The follower reports every failure it knows; this is for the one it does not.
        if (!controller.signal.aborted) subscriber.error(interruptedError(error));
      });
      return () => controller.abort();
    });
  }
}

/** Where following a reply begins: a new request, or a known stream after a known frame. */
interface FollowStart {
  request?: ChatRequest;
  streamId?: string;
  lastEventId?: string;
}

/** How one connection ended. */
type Attempt =
  | { outcome: 'ended' } // the terminal frame was delivered
  | { outcome: 'left' } // the subscriber unsubscribed
  | { outcome: 'failed'; error: ChatStreamError } // retrying cannot help
  | { outcome: 'broken'; error: ChatStreamError; progressed: boolean }; // resume may

const LEFT: Attempt = { outcome: 'left' };

/**
 * One reply followed across as many connections as it takes. It remembers the stream id and the
 * last frame's id, reconnects with `Last-Event-ID` after a cut, and drops any frame at or before
 * the last one it delivered, so a reader sees each frame exactly once whatever the network did.
 */
class StreamFollower {
  private streamId: string | undefined;
  private request: ChatRequest | undefined;
  private lastEventId: string | undefined;
  private lastPosition: number | undefined;

  constructor(
    start: FollowStart,
    private readonly policy: ChatStreamPolicy,
    private readonly token: ChatAuthTokenProvider,
    private readonly subscriber: Subscriber<ChatStreamEvent>,
    private readonly signal: AbortSignal,
    private readonly window: Window | undefined,
  ) {
    this.request = start.request;
    this.streamId = start.streamId;
    this.remember(start.lastEventId);
  }

  async run(): Promise<void> {
    let retries = 0;
    let outageStartedAt: number | undefined;
    for (;;) {
      const attempt = await this.connect();
      if (this.signal.aborted || attempt.outcome === 'left') return;
      if (attempt.outcome === 'ended') {
        this.subscriber.complete();
        return;
      }
      // Before the api named the stream there is nothing to resume: the request failed as a whole.
      if (attempt.outcome === 'failed' || this.streamId === undefined) {
        this.subscriber.error(attempt.error);
        return;
      }
      // A connection that delivered something new ends the outage: the budget starts again.
      if (attempt.progressed) {
        retries = 0;
        outageStartedAt = undefined;
      }
      const now = Date.now();
      outageStartedAt ??= now;
      retries += 1;
      if (retries > this.policy.maxRetries || now - outageStartedAt >= this.policy.maxOutageMs) {
        this.subscriber.error(interruptedError(attempt.error));
        return;
      }
      const delayMs = retryDelay(retries, this.policy);
      this.subscriber.next({
        kind: 'reconnecting',
        attempt: retries,
        delayMs,
        error: attempt.error,
      });
      if (this.signal.aborted) return;
      await this.pause(delayMs, outageStartedAt + this.policy.maxOutageMs);
      if (this.signal.aborted) return;
    }
  }

  /** Opens one connection and delivers its new frames until it ends, breaks or goes quiet. */
  private async connect(): Promise<Attempt> {
    const connection = new AbortController();
    let cutBy: 'silence' | 'offline' | undefined;
    const cut = (why: 'silence' | 'offline') => () => {
      cutBy ??= why;
      connection.abort();
    };
    const leave = (): void => connection.abort(this.signal.reason);
    const watchdog = new IdleWatchdog(cut('silence'));
    const onOffline = cut('offline');
    this.signal.addEventListener('abort', leave, { once: true });
    this.window?.addEventListener('offline', onOffline);
    const resuming = this.streamId !== undefined;
    let progressed = false;
    const broken = (error: ChatStreamError): Attempt =>
      this.signal.aborted ? LEFT : { outcome: 'broken', error, progressed };

    try {
      // Until the headers say how often the api sends keep-alives, assume the default.
      watchdog.start(2 * this.policy.fallbackHeartbeatMs);
      let authorization: Record<string, string>;
      try {
        authorization = await authorizationOf(this.token);
      } catch (error) {
        // No token to be had: signing in again is the fix, not another attempt.
        return this.signal.aborted ? LEFT : { outcome: 'failed', error: error as ChatStreamError };
      }
      if (this.signal.aborted) return LEFT;
      let response: Response;
      try {
        response = await fetch(...this.fetchArguments(connection.signal, authorization));
      } catch (error) {
        return broken(networkError(error));
      }
      const failure = await failureOf(response, { resuming });
      if (failure || this.signal.aborted) {
        discardBody(response);
        if (this.signal.aborted || !failure) return LEFT;
        return resuming && failure.retryable
          ? broken(failure)
          : { outcome: 'failed', error: failure };
      }
      this.streamId ??= response.headers.get(STREAM_ID_HEADER) || undefined;
      watchdog.start(2 * this.heartbeatOf(response));
      this.subscriber.next({ kind: 'connected', streamId: this.streamId });
      if (this.signal.aborted) return LEFT;

      // `failureOf` only lets a response with a body through.
      const frames = readFrames(response.body as ReadableStream<Uint8Array>, connection.signal, {
        onComment: () => watchdog.kick(),
      });
      for await (const received of frames) {
        watchdog.kick();
        if (isStartFrame(received.frame)) this.streamId ??= received.frame.streamId;
        if (this.alreadyDelivered(received.id)) continue;
        this.remember(received.id);
        progressed = true;
        this.subscriber.next({ kind: 'frame', ...received });
        if (this.signal.aborted) return LEFT;
        if (isTerminalFrame(received.frame)) return { outcome: 'ended' };
      }
      // The body ended before the last frame: a proxy or the server cut it.
      return broken(interruptedError());
    } catch (error) {
      if (this.signal.aborted) return LEFT;
      if (error instanceof StreamProtocolError) {
        return {
          outcome: 'failed',
          error: new ChatStreamError({
            kind: 'protocol',
            retryable: false,
            cause: error,
            message: 'The chat service sent a reply this app could not read.',
          }),
        };
      }
      // The body broke off (the connection dropped, or a proxy cut it), or we cut it ourselves.
      return broken(cutBy === 'offline' ? networkError(error) : interruptedError(error));
    } finally {
      watchdog.stop();
      this.signal.removeEventListener('abort', leave);
      this.window?.removeEventListener('offline', onOffline);
    }
  }

  private fetchArguments(
    signal: AbortSignal,
    authorization: Record<string, string>,
  ): [string, RequestInit] {
    const common: RequestInit = {
      credentials: 'same-origin',
      cache: 'no-store',
      // The api never redirects these: a redirect is an SSO proxy sending us to its login page,
      // often on another origin where following it would end in an opaque CORS failure.
      redirect: 'manual',
      signal,
    };
    if (this.streamId === undefined && this.request) {
      return [
        ApiPaths.chatStream,
        {
          ...common,
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            Accept: EVENT_STREAM_CONTENT_TYPE,
            ...authorization,
          },
          body: JSON.stringify(this.request),
        },
      ];
    }
    // Resuming: the request must never be sent twice, or the reply would be generated twice.
    this.request = undefined;
    const headers: Record<string, string> = { Accept: EVENT_STREAM_CONTENT_TYPE, ...authorization };
    if (this.lastEventId !== undefined) headers[LAST_EVENT_ID_HEADER] = this.lastEventId;
    return [ApiPaths.streamEvents(this.streamId as string), { ...common, method: 'GET', headers }];
  }

  private heartbeatOf(response: Response): number {
    const value = Number(response.headers.get(HEARTBEAT_HEADER) ?? Number.NaN);
    return Number.isFinite(value) && value > 0 ? value : this.policy.fallbackHeartbeatMs;
  }

  /** Ids are positions: one at or before the last delivered frame is a replay we already have. */
  private alreadyDelivered(id: string | undefined): boolean {
    const position = positionOf(id);
    return (
      position !== undefined && this.lastPosition !== undefined && position <= this.lastPosition
    );
  }

  private remember(id: string | undefined): void {
    if (id === undefined || id === '') return;
    this.lastEventId = id;
    this.lastPosition = positionOf(id) ?? this.lastPosition;
  }

  /**
   * Waits `delayMs` before the next reconnect, or less: `online` ends the wait at once. While the
   * browser says it is offline no attempt can succeed, so the wait stretches until it is back
   * online (or the outage's deadline) rather than spend a retry on a certain failure.
   */
  private pause(delayMs: number, deadline: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = (): void => {
        clearTimeout(timer);
        this.window?.removeEventListener('online', done);
        this.signal.removeEventListener('abort', done);
        resolve();
      };
      const due = (): void => {
        const remainingMs = deadline - Date.now();
        if (this.window?.navigator.onLine === false && remainingMs > 0) {
          timer = setTimeout(due, remainingMs);
        } else {
          done();
        }
      };
      this.window?.addEventListener('online', done);
      this.signal.addEventListener('abort', done, { once: true });
      timer = setTimeout(due, delayMs);
    });
  }
}

/** The position an SSE id names, when it is one (a whole number). */
function positionOf(id: string | undefined): number | undefined {
  if (id === undefined || !/^\d+$/.test(id)) return undefined;
  return Number(id);
}
