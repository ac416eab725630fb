import {
  ApiPaths,
  EVENT_STREAM_CONTENT_TYPE,
  HEARTBEAT_HEADER,
  IDEMPOTENCY_KEY_HEADER,
  LAST_EVENT_ID_HEADER,
  STREAM_ID_HEADER,
  StreamProtocolError,
  isStartFrame,
  isTerminalFrame,
  readFrames,
  type ChatRequest,
} from '@tokenstream/stream-contracts';
import { ChatClientError, interruptedError, networkError } from './chat-client-error';
import type { ChatStreamEvent } from './chat-stream-event';
import { apiRequest, fetchWith, type ClientOptions } from './client-options';
import { waitToReconnect, type ConnectivitySource } from './connectivity';
import { expectedHeartbeatMs } from './expected-heartbeat';
import { newIdempotencyKey } from './idempotency-key';
import { IdleWatchdog } from './idle-watchdog';
import { discardBody, failureOf } from './response-failure';
import { DEFAULT_RESUME_POLICY, reconnectDelay, type ResumePolicy } from './resume-policy';

/** How a reply is followed: the api, and how patiently a dropped connection is resumed. */
export interface FollowOptions extends ClientOptions {
  /** Aborting ends the stream at once (the api keeps generating for its grace period; see `stopStream`). */
  signal?: AbortSignal;
  resume?: Partial<ResumePolicy>;
  /** In a browser, `window`: offline cuts the connection at once, online ends a reconnect's wait. */
  connectivity?: ConnectivitySource;
}

/** Where following a reply begins: a new request, or a known stream after a known frame. */
export type FollowStart = { request: ChatRequest } | { streamId: string; lastEventId?: string };

/** How one connection ended. */
type Attempt =
  | { outcome: 'ended' } // the terminal frame was delivered, now or before (a 204)
  | { outcome: 'failed'; error: ChatClientError } // trying again cannot help
  | { outcome: 'broken'; error: ChatClientError; progressed: boolean; offline: boolean }; // resuming may

/**
 * Follows one reply across as many connections as it takes: the first POSTs the request (once:
 * a reply is never paid for twice), every later one resumes after the last frame received with
 * `Last-Event-ID`. Frames at or before that one are dropped, so each is delivered exactly once
 * whatever the network did. Ends after the `finish` or `error` frame; throws a
 * {@link ChatClientError} when no stream opens or resuming gives up, and the signal's reason when
 * it is aborted.
 */
export async function* followStream(
  start: FollowStart,
  options: FollowOptions,
): AsyncGenerator<ChatStreamEvent, void, undefined> {
  yield* new StreamFollower(start, options).run();
}

class StreamFollower {
  private readonly policy: ResumePolicy;
  private readonly signal: AbortSignal | undefined;
  /**
   * Names this prompt (`Idempotency-Key`): a POST sent again with it gets the reply the first one
   * started, so one that failed before the stream opened can be sent again.
   */
  private readonly idempotencyKey: string | undefined;
  private request: ChatRequest | undefined;
  private streamId: string | undefined;
  private lastEventId: string | undefined;
  private lastPosition: number | undefined;

  constructor(
    start: FollowStart,
    private readonly options: FollowOptions,
  ) {
    this.policy = { ...DEFAULT_RESUME_POLICY, ...options.resume };
    this.signal = options.signal;
    if ('request' in start) {
      this.request = start.request;
      this.idempotencyKey = newIdempotencyKey();
    } else {
      this.streamId = start.streamId;
      this.remember(start.lastEventId);
    }
  }

  async *run(): AsyncGenerator<ChatStreamEvent, void, undefined> {
    let failures = 0;
    let outageStartedAt: number | undefined;
    for (;;) {
      const attempt = yield* this.connect();
      // A reply that reached its last frame is whole, whatever happened to the signal after it.
      if (attempt.outcome === 'ended') return;
      this.throwIfAborted();
      if (attempt.outcome === 'failed') throw attempt.error;
      // Before the api named the stream there is nothing to resume; the POST is sent again, which
      // its idempotency key makes safe (the api joins the reply it may have started).
      if (this.streamId === undefined && !this.request) throw attempt.error;
      // A connection that delivered something new ends the outage: the budget starts again.
      if (attempt.progressed) {
        failures = 0;
        outageStartedAt = undefined;
      }
      const now = Date.now();
      outageStartedAt ??= now;
      failures += 1;
      if (failures > this.policy.maxAttempts || now - outageStartedAt >= this.policy.maxOutageMs) {
        // A POST that never opened its stream fails as its last try did (a 503's message, say).
        throw this.streamId === undefined ? attempt.error : interruptedError(attempt.error);
      }
      const delayMs = reconnectDelay(failures, this.policy);
      yield {
        kind: 'reconnecting',
        attempt: failures,
        delayMs,
        lastEventId: this.lastEventId,
        error: attempt.error,
      };
      this.throwIfAborted();
      // Cut by going offline and already back (its `online` may have fired before any wait began).
      const backOnline = attempt.offline && this.options.connectivity?.navigator.onLine === true;
      if (!backOnline) {
        const deadline = outageStartedAt + this.policy.maxOutageMs;
        await waitToReconnect(delayMs, deadline, this.options.connectivity, this.signal);
        this.throwIfAborted();
      }
    }
  }

  /** Opens one connection and delivers its new frames until it ends, breaks or goes quiet. */
  private async *connect(): AsyncGenerator<ChatStreamEvent, Attempt, undefined> {
    const connection = new AbortController();
    let cutBy: 'silence' | 'offline' | undefined;
    const cut = (why: 'silence' | 'offline') => () => {
      cutBy ??= why;
      connection.abort();
    };
    const leave = (): void => connection.abort(this.signal?.reason);
    const watchdog = new IdleWatchdog(cut('silence'));
    const onOffline = cut('offline');
    this.signal?.addEventListener('abort', leave, { once: true });
    this.options.connectivity?.addEventListener('offline', onOffline);
    const resuming = this.streamId !== undefined;
    let progressed = false;
    const broken = (error: ChatClientError, offline = false): Attempt => ({
      outcome: 'broken',
      error,
      progressed,
      offline,
    });

    try {
      // Until the headers say how often the api sends keep-alives, assume the default.
      watchdog.start(2 * expectedHeartbeatMs(null, this.policy.fallbackHeartbeatMs));
      let response: Response;
      const [url, init] = await this.nextRequest(connection.signal);
      this.throwIfAborted();
      try {
        response = await fetchWith(this.options, url, init);
      } catch (error) {
        this.throwIfAborted();
        return broken(networkError(error));
      }
      // The api's "nothing follows": this reader already has the finished stream's last frame.
      if (resuming && response.status === 204) {
        discardBody(response);
        return { outcome: 'ended' };
      }
      const failure = await failureOf(response, { resuming });
      if (failure) {
        discardBody(response);
        this.throwIfAborted();
        // A resume that may work later is tried again; so is a POST the api could not take
        // (a 5xx: an instance shutting down, a store out of reach), with the same key.
        const again = resuming ? failure.retryable : failure.kind === 'unavailable';
        return again ? broken(failure) : { outcome: 'failed', error: failure };
      }
      this.streamId ??= response.headers.get(STREAM_ID_HEADER) || undefined;
      const heartbeatMs = response.headers.get(HEARTBEAT_HEADER);
      watchdog.start(2 * expectedHeartbeatMs(heartbeatMs, this.policy.fallbackHeartbeatMs));
      watchdog.pause();
      yield { kind: 'connected', streamId: this.streamId };
      watchdog.resume();

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
        // The reader's own time with a frame is not the connection's silence.
        watchdog.pause();
        yield { kind: 'frame', ...received };
        watchdog.resume();
        if (isTerminalFrame(received.frame)) return { outcome: 'ended' };
      }
      // The body ended before the last frame: a proxy or the server cut it.
      return broken(interruptedError());
    } catch (error) {
      this.throwIfAborted();
      if (error instanceof ChatClientError) return { outcome: 'failed', error };
      if (error instanceof StreamProtocolError) {
        return {
          outcome: 'failed',
          error: new ChatClientError({
            kind: 'protocol',
            retryable: false,
            cause: error,
            message: 'The chat service sent a reply this client could not read.',
          }),
        };
      }
      // The body broke off (the connection dropped, or a proxy cut it), or we cut it ourselves.
      return cutBy === 'offline'
        ? broken(networkError(error), true)
        : broken(interruptedError(error));
    } finally {
      watchdog.stop();
      // Releases the body when the reader left before its end (a no-op after a full read).
      connection.abort();
      this.signal?.removeEventListener('abort', leave);
      this.options.connectivity?.removeEventListener('offline', onOffline);
    }
  }

  /** The POST of the request the first time; every later time, the resume after the last frame. */
  private async nextRequest(signal: AbortSignal): Promise<[string, RequestInit]> {
    if (this.streamId === undefined && this.request) {
      return apiRequest(this.options, 'POST', ApiPaths.chatStream, {
        signal,
        headers: {
          'Content-Type': 'application/json',
          Accept: EVENT_STREAM_CONTENT_TYPE,
          [IDEMPOTENCY_KEY_HEADER]: this.idempotencyKey as string,
        },
        body: JSON.stringify(this.request),
      });
    }
    // Resuming: the request must never be sent twice, or the reply would be generated twice.
    this.request = undefined;
    const headers: Record<string, string> = { Accept: EVENT_STREAM_CONTENT_TYPE };
    if (this.lastEventId !== undefined) headers[LAST_EVENT_ID_HEADER] = this.lastEventId;
    const path = ApiPaths.streamEvents(this.streamId as string);
    return apiRequest(this.options, 'GET', path, { signal, headers });
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

  private throwIfAborted(): void {
    this.signal?.throwIfAborted();
  }
}

/** The position an SSE id names, when it is one (a whole number). */
function positionOf(id: string | undefined): number | undefined {
  if (id === undefined || !/^\d+$/.test(id)) return undefined;
  return Number(id);
}
