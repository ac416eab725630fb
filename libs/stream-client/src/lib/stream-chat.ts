import {
  ApiPaths,
  EVENT_STREAM_CONTENT_TYPE,
  HEARTBEAT_HEADER,
  LAST_EVENT_ID_HEADER,
  STREAM_ID_HEADER,
  StreamProtocolError,
  isTerminalFrame,
  readFrames,
  type ApiErrorBody,
  type ChatRequest,
  type ErrorFrame,
  type FinishFrame,
  type ReceivedFrame,
} from '@tokenstream/stream-contracts';
import { backoff, sleep } from './backoff';
import { ChatClientError } from './chat-client-error';
import { IdleWatchdog } from './idle-watchdog';
import { DEFAULT_RESUME_POLICY, type ResumePolicy } from './resume-policy';

/** Where the api is and how to call it. */
export interface StreamChatOptions {
  /** The api's origin, e.g. `https://chat.example.com`. */
  baseUrl: string;
  /** Extra headers for every request (e.g. `X-API-Key`). */
  headers?: Record<string, string>;
  /** A bearer token, or a function giving one per request (so it can be refreshed). */
  token?: string | (() => string | undefined | Promise<string | undefined>);
  /** Aborting ends the stream at once (the api keeps generating for its grace period; see `stop`). */
  signal?: AbortSignal;
  resume?: Partial<ResumePolicy>;
  /** Called before each reconnection, e.g. to show "Reconnecting…". */
  onReconnect?(info: {
    attempt: number;
    delayMs: number;
    lastEventId?: string;
    error: unknown;
  }): void;
  /** The `fetch` to use; the global one by default. */
  fetch?: typeof fetch;
}

/** How a reply ended: its text, and the `finish` or `error` frame that ended it. */
export interface ChatResult {
  streamId: string;
  text: string;
  finish?: FinishFrame;
  error?: ErrorFrame;
}

/** A reply being streamed: iterate it for frames, or await `final()` for the whole text. */
export interface ChatStream extends AsyncIterable<ReceivedFrame> {
  /** Reads the rest of the stream (if nobody iterates it) and resolves with the result. */
  final(): Promise<ChatResult>;
}

/** No frame, not even a keep-alive, for this many heartbeats: the connection is dead. */
const HEARTBEATS_BEFORE_IDLE = 2;
const FALLBACK_HEARTBEAT_MS = 15_000;

/**
 * Starts a chat reply on a tokenstream api and streams its frames. A dropped connection (a cut, a
 * network error, a silence past twice the heartbeat) is resumed with `Last-Event-ID` through
 * `GET /api/streams/:id/events`, with backoff and a bounded number of tries; the prompt is sent
 * once only, so a reply is never paid for twice. Frames are never repeated or skipped.
 */
export function streamChat(request: ChatRequest, options: StreamChatOptions): ChatStream {
  const run = new ChatRun(request, options);
  return {
    [Symbol.asyncIterator]: () => run.frames()[Symbol.asyncIterator](),
    final: () => run.final(),
  };
}

class ChatRun {
  private readonly policy: ResumePolicy;
  private readonly fetchImpl: typeof fetch;
  private streamId: string | undefined;
  private lastEventId: string | undefined;
  private text = '';
  private result: ChatResult | undefined;
  private iterating: AsyncGenerator<ReceivedFrame> | undefined;
  private settle!: { resolve(result: ChatResult): void; reject(error: unknown): void };
  private readonly completion = new Promise<ChatResult>((resolve, reject) => {
    this.settle = { resolve, reject };
  });

  constructor(
    private readonly request: ChatRequest,
    private readonly options: StreamChatOptions,
  ) {
    this.policy = { ...DEFAULT_RESUME_POLICY, ...options.resume };
    // Whoever never asks for the result must not see an unhandled rejection.
    this.completion.catch(() => undefined);
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  frames(): AsyncGenerator<ReceivedFrame> {
    if (this.iterating) throw new Error('a chat stream can be iterated once');
    this.iterating = this.generate();
    return this.iterating;
  }

  async final(): Promise<ChatResult> {
    if (!this.iterating) {
      for await (const frame of this.frames()) void frame;
    }
    return this.completion;
  }

  private async *generate(): AsyncGenerator<ReceivedFrame> {
    try {
      yield* this.follow();
    } catch (error) {
      this.settle.reject(error);
      throw error;
    } finally {
      // Settling twice is a no-op: this covers the end, a failure, and a consumer that left early.
      if (this.result) this.settle.resolve(this.result);
      else this.settle.reject(new Error('the stream was left before its end'));
    }
  }

  private async *follow(): AsyncGenerator<ReceivedFrame> {
    let failures = 0;
    for (;;) {
      const connection = new AbortController();
      const outer = this.options.signal;
      const onAbort = () => connection.abort(outer?.reason);
      outer?.addEventListener('abort', onAbort, { once: true });
      let progressed = false;
      let error: unknown;
      try {
        const response = await this.connect(connection.signal);
        const heartbeatMs = Number(response.headers.get(HEARTBEAT_HEADER)) || FALLBACK_HEARTBEAT_MS;
        const watchdog = new IdleWatchdog(heartbeatMs * HEARTBEATS_BEFORE_IDLE, () =>
          connection.abort(new Error('no data for twice the heartbeat')),
        );
        try {
          const body = response.body as ReadableStream<Uint8Array>;
          for await (const received of readFrames(body, connection.signal, {
            onComment: () => watchdog.touch(),
          })) {
            watchdog.touch();
            if (!this.isNew(received)) continue;
            progressed = true;
            this.record(received);
            yield received;
            if (isTerminalFrame(received.frame)) return;
          }
          error = new Error('the stream ended before its last frame');
        } finally {
          watchdog.stop();
        }
      } catch (caught) {
        if (outer?.aborted) throw outer.reason ?? caught;
        if (caught instanceof ChatClientError && caught.kind !== 'unavailable') throw caught;
        if (caught instanceof StreamProtocolError) {
          throw new ChatClientError('protocol', caught.message, { cause: caught });
        }
        error = caught;
      } finally {
        outer?.removeEventListener('abort', onAbort);
      }
      // Never send the prompt again: without a stream id there is nothing to resume.
      if (!this.streamId) {
        throw new ChatClientError(
          'unavailable',
          'The connection failed before the stream started.',
          {
            cause: error,
          },
        );
      }
      failures = progressed ? 1 : failures + 1;
      if (failures > this.policy.maxAttempts) {
        throw new ChatClientError(
          'unavailable',
          `Gave up resuming after ${this.policy.maxAttempts} tries.`,
          {
            cause: error,
          },
        );
      }
      const delayMs = backoff(failures, this.policy);
      this.options.onReconnect?.({
        attempt: failures,
        delayMs,
        lastEventId: this.lastEventId,
        error,
      });
      await sleep(delayMs, outer);
    }
  }

  /** The first connection POSTs the prompt; every later one resumes after the last frame seen. */
  private async connect(signal: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = {
      Accept: EVENT_STREAM_CONTENT_TYPE,
      ...this.options.headers,
    };
    const token =
      typeof this.options.token === 'function' ? await this.options.token() : this.options.token;
    if (token) headers['Authorization'] = `Bearer ${token}`;
    const resuming = this.streamId !== undefined;
    let response: Response;
    try {
      if (resuming) {
        if (this.lastEventId !== undefined) headers[LAST_EVENT_ID_HEADER] = this.lastEventId;
        response = await this.fetchImpl(
          url(this.options.baseUrl, ApiPaths.streamEvents(this.streamId as string)),
          {
            headers,
            signal,
          },
        );
      } else {
        headers['Content-Type'] = 'application/json';
        response = await this.fetchImpl(url(this.options.baseUrl, ApiPaths.chatStream), {
          method: 'POST',
          headers,
          body: JSON.stringify(this.request),
          signal,
        });
        // Known from the headers even if the connection breaks before the `start` frame.
        this.streamId = response.headers.get(STREAM_ID_HEADER) ?? undefined;
      }
    } catch (error) {
      if (signal.aborted && this.options.signal?.aborted) throw error;
      throw new ChatClientError('unavailable', 'Could not reach the api.', { cause: error });
    }
    const type = response.headers.get('Content-Type') ?? '';
    if (response.ok && type.startsWith(EVENT_STREAM_CONTENT_TYPE) && response.body) return response;
    throw await refusal(response, resuming);
  }

  private isNew({ id }: ReceivedFrame): boolean {
    if (id === undefined || this.lastEventId === undefined) return true;
    return Number(id) > Number(this.lastEventId);
  }

  private record({ id, frame }: ReceivedFrame): void {
    if (id !== undefined) this.lastEventId = id;
    if (frame.type === 'start') this.streamId = frame.streamId;
    if (frame.type === 'text-delta') this.text += frame.delta;
    if (frame.type === 'finish' || frame.type === 'error') {
      this.result = {
        streamId: this.streamId as string,
        text: this.text,
        ...(frame.type === 'finish' ? { finish: frame } : { error: frame }),
      };
    }
  }
}

/** Turns a non-stream answer into the error a caller can act on. */
async function refusal(response: Response, resuming: boolean): Promise<ChatClientError> {
  const status = response.status;
  let body: Partial<ApiErrorBody> | undefined;
  try {
    body = (await response.json()) as Partial<ApiErrorBody>;
  } catch {
    body = undefined;
  }
  const retryAfter = Number(response.headers.get('Retry-After'));
  const details = {
    status,
    code: typeof body?.code === 'string' ? body.code : undefined,
    problems: Array.isArray(body?.problems) ? body.problems : undefined,
    retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
  };
  const message = typeof body?.message === 'string' ? body.message : `HTTP ${status}`;
  if (resuming && status === 404) return new ChatClientError('gone', message, details);
  // Only a server-side or transient failure is worth another try, and only while resuming.
  if (status >= 500 || status === 429 || status === 408)
    return new ChatClientError('unavailable', message, details);
  if (response.ok)
    return new ChatClientError('protocol', 'The api did not answer with an event stream.', details);
  return new ChatClientError('rejected', message, details);
}

function url(baseUrl: string, path: string): string {
  return baseUrl.replace(/\/+$/, '') + path;
}
