import { TestBed } from '@angular/core/testing';
import { ChatRequest, ReceivedFrame, StreamFrame } from '@tokenstream/stream-contracts';
import { Observable, tap } from 'rxjs';
import { ReplyStreams } from './reply-streams';
import { ChatClientError, ChatStreamEvent, ReconnectingEvent } from '@tokenstream/stream-client';
import {
  CHAT_STREAM_POLICY,
  ChatStreamPolicy,
  DEFAULT_CHAT_STREAM_POLICY,
} from './chat-stream-policy';

const encoder = new TextEncoder();
const request: ChatRequest = { messages: [{ role: 'user', content: 'Hi' }], model: 'demo' };

/** The wire text of one frame as the api sends it. */
function event(id: number, frame: object): string {
  return `id: ${id}\ndata: ${JSON.stringify(frame)}\n\n`;
}

const WIRE =
  ': keep-alive\n\n' +
  event(1, { type: 'start', streamId: 's-1', model: 'demo' }) +
  event(2, { type: 'text-delta', delta: 'Hi 👋' }) +
  event(3, { type: 'text-delta', delta: ' there' }) +
  event(4, { type: 'finish', finishReason: 'stop' });

const EXPECTED: ReceivedFrame[] = [
  { id: '1', frame: { type: 'start', streamId: 's-1', model: 'demo' } },
  { id: '2', frame: { type: 'text-delta', delta: 'Hi 👋' } },
  { id: '3', frame: { type: 'text-delta', delta: ' there' } },
  { id: '4', frame: { type: 'finish', finishReason: 'stop' } },
];

/** Fast enough for tests, with a fixed jitter (each delay is 3/4 of its nominal value). */
const TEST_POLICY: ChatStreamPolicy = {
  ...DEFAULT_CHAT_STREAM_POLICY,
  initialDelayMs: 8,
  maxDelayMs: 32,
  maxAttempts: 4,
  maxOutageMs: 5_000,
  random: () => 0.5,
};

/** A body that delivers `chunks` one read at a time, then closes (or stays open). */
function bodyOf(
  chunks: Uint8Array[],
  options: { keepOpen?: boolean; onCancel?: (reason: unknown) => void } = {},
): ReadableStream<Uint8Array> {
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next < chunks.length) controller.enqueue(chunks[next++]);
      else if (!options.keepOpen) controller.close();
      // keepOpen: a pull that never enqueues leaves the next read pending, like a live stream.
      else return new Promise<void>(() => undefined);
      return undefined;
    },
    cancel: options.onCancel,
  });
}

/** Cuts `bytes` at the given offsets. */
function cut(bytes: Uint8Array, offsets: number[]): Uint8Array[] {
  const edges = [0, ...offsets, bytes.length];
  return edges.slice(1).map((end, i) => bytes.slice(edges[i], end));
}

/** A 200 event stream of stream `s-1`; a header given as `null` is left out. */
function eventStream(
  body: ReadableStream<Uint8Array>,
  headers: Record<string, string | null> = {},
): Response {
  const all: Record<string, string | null> = {
    'Content-Type': 'text/event-stream',
    'X-Stream-Id': 's-1',
    ...headers,
  };
  return new Response(body, {
    status: 200,
    headers: Object.entries(all).flatMap(([name, value]) =>
      value === null ? [] : [[name, value] as [string, string]],
    ),
  });
}

type FetchStub = jest.Mock<Promise<Response>, [RequestInfo | URL, RequestInit | undefined]>;

/** Replaces `fetch`; `answer` gets the call's init, its URL and its index (0 for the first call). */
function stubFetch(
  answer: (
    init: RequestInit | undefined,
    url: string,
    call: number,
  ) => Response | Promise<Response>,
): FetchStub {
  let calls = 0;
  const stub: FetchStub = jest.fn(async (input, init) => answer(init, String(input), calls++));
  globalThis.fetch = stub as unknown as typeof fetch;
  return stub;
}

interface Outcome {
  events: ChatStreamEvent[];
  frames: ReceivedFrame[];
  error?: unknown;
  completed: boolean;
}

/** The frames among `events`, as `{ id, frame }`. */
function framesOf(events: readonly ChatStreamEvent[]): ReceivedFrame[] {
  return events.flatMap((e) => (e.kind === 'frame' ? [{ id: e.id, frame: e.frame }] : []));
}

/** The reply's text: its deltas joined. */
function textOf(frames: readonly ReceivedFrame[]): string {
  return frames.map(({ frame }) => (frame.type === 'text-delta' ? frame.delta : '')).join('');
}

/** Subscribes and waits for the end, failing with what arrived so far if it does not come. */
function collect(events$: Observable<ChatStreamEvent>, timeoutMs = 2000): Promise<Outcome> {
  const outcome: Outcome = { events: [], frames: [], completed: false };
  return new Promise<Outcome>((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.unsubscribe();
      reject(new Error(`stream did not end in ${timeoutMs} ms; got ${JSON.stringify(outcome)}`));
    }, timeoutMs);
    const subscription = events$.subscribe({
      next: (e) => {
        outcome.events.push(e);
        outcome.frames = framesOf(outcome.events);
      },
      error: (error: unknown) => {
        clearTimeout(timer);
        resolve({ ...outcome, error });
      },
      complete: () => {
        clearTimeout(timer);
        resolve({ ...outcome, completed: true });
      },
    });
  });
}

/** Waits until `condition` holds, failing with `describe()` if it does not within the time. */
async function waitFor(condition: () => boolean, describe: () => string, timeoutMs = 2000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function expectChatClientError(outcome: Outcome): ChatClientError {
  expect(outcome.error).toBeInstanceOf(ChatClientError);
  return outcome.error as ChatClientError;
}

describe('ReplyStreams', () => {
  let streams: ReplyStreams;
  const originalFetch = globalThis.fetch;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [{ provide: CHAT_STREAM_POLICY, useValue: TEST_POLICY }],
    });
    streams = TestBed.inject(ReplyStreams);
  });

  afterEach(() => {
    globalThis.fetch = originalFetch;
  });

  it('posts the request as JSON, asking for an event stream with same-origin credentials', async () => {
    const fetchStub = stubFetch(() => eventStream(bodyOf([encoder.encode(WIRE)])));

    await collect(streams.stream(request));

    expect(fetchStub).toHaveBeenCalledTimes(1);
    const [url, init] = fetchStub.mock.calls[0];
    expect(url).toBe('/api/chat/stream');
    expect(init?.method).toBe('POST');
    expect(init?.credentials).toBe('same-origin');
    expect(new Headers(init?.headers).get('Accept')).toBe('text/event-stream');
    expect(new Headers(init?.headers).get('Content-Type')).toBe('application/json');
    expect(JSON.parse(String(init?.body))).toEqual(request);
  });

  it('sends nothing until it is subscribed', () => {
    const fetchStub = stubFetch(() => eventStream(bodyOf([encoder.encode(WIRE)])));

    streams.stream(request);

    expect(fetchStub).not.toHaveBeenCalled();
  });

  it('emits every frame with its id and completes, from a body cut mid-frame and mid-character', async () => {
    const bytes = encoder.encode(WIRE);
    const emoji = bytes.indexOf(0xf0); // the first byte of 👋's four
    const midJson = WIRE.indexOf('"streamId"') + 4;
    stubFetch(() => eventStream(bodyOf(cut(bytes, [5, midJson, emoji + 2, emoji + 3]))));

    const outcome = await collect(streams.stream(request));

    expect(outcome.frames).toEqual(EXPECTED);
    expect(outcome.error).toBeUndefined();
    expect(outcome.completed).toBe(true);
  });

  it('emits the same frames from a body delivered one byte at a time', async () => {
    const bytes = encoder.encode(WIRE);
    const offsets = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    stubFetch(() => eventStream(bodyOf(cut(bytes, offsets))));

    const outcome = await collect(streams.stream(request));

    expect(outcome.frames).toEqual(EXPECTED);
    expect(outcome.completed).toBe(true);
  });

  it('emits an error frame as a frame and completes', async () => {
    const wire =
      event(0, { type: 'start', streamId: 's-1', model: 'demo' }) +
      event(1, {
        type: 'error',
        code: 'upstream_unavailable',
        message: 'The model is unavailable.',
        retryable: true,
      });
    stubFetch(() => eventStream(bodyOf([encoder.encode(wire)])));

    const outcome = await collect(streams.stream(request));

    expect(outcome.frames.map((received) => received.frame.type)).toEqual(['start', 'error']);
    expect(outcome.completed).toBe(true);
  });

  it('aborts the request and cancels the body when the subscriber unsubscribes mid-stream', async () => {
    const onCancel = jest.fn();
    const opening = WIRE.slice(0, WIRE.indexOf('id: 3'));
    const fetchStub = stubFetch(() =>
      eventStream(bodyOf([encoder.encode(opening)], { keepOpen: true, onCancel })),
    );
    const frames: ChatStreamEvent[] = [];
    const errors: unknown[] = [];

    const subscription = streams.stream(request).subscribe({
      next: (e) => {
        if (e.kind === 'frame') frames.push(e);
      },
      error: (error: unknown) => errors.push(error),
    });
    await waitFor(
      () => frames.length === 2,
      () => `2 frames, got ${JSON.stringify(frames)}`,
    );
    subscription.unsubscribe();

    const signal = fetchStub.mock.calls[0][1]?.signal;
    expect(signal?.aborted).toBe(true);
    await waitFor(
      () => onCancel.mock.calls.length > 0,
      () => 'the body to be cancelled',
    );
    expect(errors).toEqual([]);
  });

  it('aborts the request when the subscriber leaves before the response arrives', async () => {
    let seenSignal: AbortSignal | undefined;
    stubFetch(
      (init) =>
        new Promise<Response>((_resolve, reject) => {
          seenSignal = init?.signal ?? undefined;
          seenSignal?.addEventListener('abort', () => reject(seenSignal?.reason));
        }),
    );
    const errors: unknown[] = [];

    const subscription = streams
      .stream(request)
      .subscribe({ error: (error: unknown) => errors.push(error) });
    await waitFor(
      () => seenSignal !== undefined,
      () => 'fetch to be called',
    );
    subscription.unsubscribe();
    await new Promise((resolve) => setTimeout(resolve, 10));

    expect(seenSignal?.aborted).toBe(true);
    expect(errors).toEqual([]);
  });

  it('sends the prompt again with its key when the body ends before the api named the stream, then fails as interrupted', async () => {
    // No X-Stream-Id header and no start frame: nothing to resume, but the POST may be sent again
    // (its Idempotency-Key makes the api join the reply the first one may have started).
    const fetchStub = stubFetch(() =>
      eventStream(bodyOf([encoder.encode(': keep-alive\n\nid: 1\nda')]), { 'X-Stream-Id': null }),
    );

    const outcome = await collect(streams.stream(request));

    expect(outcome.frames).toEqual([]);
    const error = expectChatClientError(outcome);
    expect(error.kind).toBe('interrupted');
    expect(error.retryable).toBe(true);
    expect(fetchStub).toHaveBeenCalledTimes(1 + TEST_POLICY.maxAttempts);
    const keys = fetchStub.mock.calls.map(
      ([, init]) => (init?.headers as Record<string, string>)['Idempotency-Key'],
    );
    expect(new Set(keys).size).toBe(1);
  });

  it('fails as interrupted when the connection keeps breaking mid-body before the stream is named', async () => {
    const opening = encoder.encode(': keep-alive\n\n');
    const breaking = () => {
      let sent = false;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent) controller.error(new TypeError('terminated'));
          else controller.enqueue(opening);
          sent = true;
        },
      });
    };
    stubFetch(() => eventStream(breaking(), { 'X-Stream-Id': null }));

    const outcome = await collect(streams.stream(request));

    expect(outcome.frames).toHaveLength(0);
    expect(expectChatClientError(outcome).kind).toBe('interrupted');
  });

  it('fails as protocol when the stream carries data that is not a frame', async () => {
    stubFetch(() => eventStream(bodyOf([encoder.encode('id: 1\ndata: {not json\n\n')])));

    const outcome = await collect(streams.stream(request));

    const error = expectChatClientError(outcome);
    expect(error.kind).toBe('protocol');
    expect(error.message).not.toContain('not json');
  });

  it('fails as network (retryable) when fetch itself rejects', async () => {
    stubFetch(() => Promise.reject(new TypeError('Failed to fetch')));

    const error = expectChatClientError(await collect(streams.stream(request)));

    expect(error.kind).toBe('network');
    expect(error.retryable).toBe(true);
  });

  describe('refuses to parse what is not an event stream', () => {
    function answer(status: number, contentType: string, body: string): Response {
      return new Response(body, { status, headers: { 'Content-Type': contentType } });
    }

    it('gives unauthenticated for a 401', async () => {
      stubFetch(() => answer(401, 'application/json', '{"statusCode":401,"code":"http_error"}'));

      const error = expectChatClientError(await collect(streams.stream(request)));

      expect(error.kind).toBe('unauthenticated');
      expect(error.status).toBe(401);
      expect(error.retryable).toBe(false);
    });

    it('gives unauthenticated for an HTML login page answered with 200', async () => {
      stubFetch(() => answer(200, 'text/html; charset=utf-8', '<!doctype html><h1>Sign in</h1>'));

      const error = expectChatClientError(await collect(streams.stream(request)));

      expect(error.kind).toBe('unauthenticated');
      expect(error.message).not.toContain('Sign in</h1>');
    });

    it('gives unauthenticated when an SSO proxy redirected the request', async () => {
      stubFetch(() => {
        const response = answer(200, 'text/plain', 'login');
        Object.defineProperty(response, 'redirected', { value: true });
        return response;
      });

      expect(expectChatClientError(await collect(streams.stream(request))).kind).toBe(
        'unauthenticated',
      );
    });

    it('does not follow redirects, and reads an opaque redirect as an expired session', async () => {
      const fetchStub = stubFetch(() => {
        const response = answer(200, 'text/plain', '');
        Object.defineProperty(response, 'type', { value: 'opaqueredirect' });
        return response;
      });

      const error = expectChatClientError(await collect(streams.stream(request)));

      expect(fetchStub.mock.calls[0][1]?.redirect).toBe('manual');
      expect(error.kind).toBe('unauthenticated');
    });

    it("gives unauthenticated for a proxy's 403 page", async () => {
      stubFetch(() => answer(403, 'text/html', '<h1>403 Forbidden</h1>'));

      expect(expectChatClientError(await collect(streams.stream(request))).kind).toBe(
        'unauthenticated',
      );
    });

    it('gives rejected with the message, code and problems of a 400 ApiErrorBody', async () => {
      const problems = [{ path: 'messages[0].content', message: 'must be a string' }];
      stubFetch(() =>
        answer(
          400,
          'application/json; charset=utf-8',
          JSON.stringify({
            statusCode: 400,
            code: 'invalid_request',
            message: 'The request is invalid: messages[0].content must be a string.',
            problems,
            requestId: 'req-7',
          }),
        ),
      );

      const error = expectChatClientError(await collect(streams.stream(request)));

      expect(error).toMatchObject({
        kind: 'rejected',
        status: 400,
        code: 'invalid_request',
        problems,
        requestId: 'req-7',
        retryable: false,
        message: 'The request is invalid: messages[0].content must be a string.',
      });
    });

    it('gives unavailable (retryable) with the message of a 503 ApiErrorBody', async () => {
      stubFetch(() =>
        answer(
          503,
          'application/json',
          JSON.stringify({
            statusCode: 503,
            code: 'server_shutting_down',
            message: 'The server is restarting. Try again.',
          }),
        ),
      );

      const error = expectChatClientError(await collect(streams.stream(request)));

      expect(error).toMatchObject({
        kind: 'unavailable',
        code: 'server_shutting_down',
        retryable: true,
        message: 'The server is restarting. Try again.',
      });
    });

    it("gives unavailable (retryable) for a proxy's 502 text/plain page, without quoting it", async () => {
      stubFetch(() => answer(502, 'text/plain', 'upstream connect error or disconnect/reset'));

      const error = expectChatClientError(await collect(streams.stream(request)));

      expect(error.kind).toBe('unavailable');
      expect(error.status).toBe(502);
      expect(error.retryable).toBe(true);
      expect(error.message).toContain('502');
      expect(error.message).not.toContain('upstream connect');
    });

    it('gives unavailable for a 500 whose JSON is not an ApiErrorBody, without crashing', async () => {
      stubFetch(() => answer(500, 'application/json', '{"oops":'));

      expect(expectChatClientError(await collect(streams.stream(request))).kind).toBe(
        'unavailable',
      );
    });

    it('gives not-a-stream for a 200 that is JSON', async () => {
      stubFetch(() => answer(200, 'application/json', '{"choices":[]}'));

      expect(expectChatClientError(await collect(streams.stream(request))).kind).toBe(
        'not-a-stream',
      );
    });
  });

  describe('resuming a reply', () => {
    const DELTAS = ['Once', ' upon', ' a tíme', ' 👋', ' there', ' was'];
    const FRAMES: StreamFrame[] = [
      { type: 'start', streamId: 's-1', model: 'demo' },
      ...DELTAS.map((delta): StreamFrame => ({ type: 'text-delta', delta })),
      { type: 'finish', finishReason: 'stop' },
    ];
    const ALL_IDS = FRAMES.map((_, i) => String(i + 1));

    /** The wire of the frames after `lastId` (all of them for 0), as the api replays them. */
    function wireAfter(lastId: number): string {
      return (
        ': keep-alive\n\n' +
        FRAMES.map((frame, i) => (i + 1 > lastId ? event(i + 1, frame) : '')).join('')
      );
    }

    /** The wire up to (not including) frame `id`, cut `extra` characters into that frame. */
    function wireUntil(id: number, extra = 0): string {
      const all = wireAfter(0);
      return all.slice(0, all.indexOf(`id: ${id}\n`) + extra);
    }

    function streamOf(wire: string, headers: Record<string, string | null> = {}): Response {
      return eventStream(bodyOf([encoder.encode(wire)]), headers);
    }

    function headerOf(stub: FetchStub, call: number, name: string): string | null {
      return new Headers(stub.mock.calls[call][1]?.headers).get(name);
    }

    function reconnects(outcome: Outcome): ReconnectingEvent[] {
      return outcome.events.filter((e): e is ReconnectingEvent => e.kind === 'reconnecting');
    }

    /** A ReplyStreams running `policy` (the default test policy with `overrides`). */
    function withPolicy(overrides: Partial<ChatStreamPolicy>): ReplyStreams {
      TestBed.resetTestingModule();
      TestBed.configureTestingModule({
        providers: [{ provide: CHAT_STREAM_POLICY, useValue: { ...TEST_POLICY, ...overrides } }],
      });
      return TestBed.inject(ReplyStreams);
    }

    it('resumes after a cut mid-frame with Last-Event-ID of the last whole frame, text intact', async () => {
      // Cut 12 characters into frame 5 (" 👋"), mid-JSON: frames 1 to 4 arrived whole.
      const fetchStub = stubFetch((_init, _url, call) =>
        call === 0 ? streamOf(wireUntil(5, 12)) : streamOf(wireAfter(4)),
      );

      const outcome = await collect(streams.stream(request));

      expect(outcome.error).toBeUndefined();
      expect(outcome.completed).toBe(true);
      expect(textOf(outcome.frames)).toBe(DELTAS.join(''));
      expect(outcome.frames.map((f) => f.id)).toEqual(ALL_IDS);
      expect(fetchStub).toHaveBeenCalledTimes(2);
      const [url, init] = fetchStub.mock.calls[1];
      expect(url).toBe('/api/streams/s-1/events');
      expect(init?.method).toBe('GET');
      expect(init?.body).toBeUndefined();
      expect(init?.credentials).toBe('same-origin');
      expect(headerOf(fetchStub, 1, 'Last-Event-ID')).toBe('4');
      expect(headerOf(fetchStub, 1, 'Accept')).toBe('text/event-stream');
      expect(outcome.events.map((e) => e.kind).filter((kind) => kind !== 'frame')).toEqual([
        'connected',
        'reconnecting',
        'connected',
      ]);
      expect(reconnects(outcome)[0]).toMatchObject({ attempt: 1, error: { kind: 'interrupted' } });
    });

    it('drops frames it already delivered when a resume replays them, or a connection repeats one', async () => {
      const twice = wireUntil(4) + event(3, FRAMES[2]); // frame 3 again, then the body ends
      stubFetch(
        (_init, _url, call) => (call === 0 ? streamOf(twice) : streamOf(wireAfter(0))), // replays everything
      );

      const outcome = await collect(streams.stream(request));

      expect(outcome.frames.map((f) => f.id)).toEqual(ALL_IDS);
      expect(textOf(outcome.frames)).toBe(DELTAS.join(''));
      expect(outcome.completed).toBe(true);
    });

    it('resumes from the start, without Last-Event-ID, when the POST was cut before any frame', async () => {
      const fetchStub = stubFetch((_init, _url, call) =>
        call === 0 ? streamOf(': keep-alive\n\nid: 1\ndata: {"ty') : streamOf(wireAfter(0)),
      );

      const outcome = await collect(streams.stream(request));

      expect(outcome.completed).toBe(true);
      expect(outcome.frames.map((f) => f.id)).toEqual(ALL_IDS);
      expect(fetchStub.mock.calls[1][0]).toBe('/api/streams/s-1/events');
      expect(headerOf(fetchStub, 1, 'Last-Event-ID')).toBeNull();
      expect(outcome.events[0]).toEqual({ kind: 'connected', streamId: 's-1' });
    });

    it('never sends the request twice: every reconnect is a GET of the stream', async () => {
      const fetchStub = stubFetch((_init, _url, call) => {
        if (call < 3) return streamOf(wireUntil(2 + call)); // one new frame per connection
        return streamOf(wireAfter(3));
      });

      const outcome = await collect(streams.stream(request));

      expect(outcome.completed).toBe(true);
      expect(fetchStub.mock.calls.map(([url, init]) => `${init?.method} ${String(url)}`)).toEqual([
        'POST /api/chat/stream',
        'GET /api/streams/s-1/events',
        'GET /api/streams/s-1/events',
        'GET /api/streams/s-1/events',
      ]);
      expect([1, 2, 3].map((call) => headerOf(fetchStub, call, 'Last-Event-ID'))).toEqual([
        '1',
        '2',
        '3',
      ]);
    });

    it('waits longer before each reconnect, and gives up as interrupted after the last retry', async () => {
      const calledAt: number[] = [];
      const fetchStub = stubFetch((_init, _url, call) => {
        calledAt.push(Date.now());
        if (call === 0) return streamOf(wireUntil(3));
        return Promise.reject(new TypeError('Failed to fetch'));
      });

      const outcome = await collect(streams.stream(request));

      const retries = reconnects(outcome);
      // Nominal 8, 16, 32, 32 ms (capped), each at 3/4 with the test's fixed jitter.
      expect(retries.map((r) => [r.attempt, r.delayMs])).toEqual([
        [1, 6],
        [2, 12],
        [3, 24],
        [4, 24],
      ]);
      expect(retries.slice(1).map((r) => r.error.kind)).toEqual(['network', 'network', 'network']);
      expect(fetchStub).toHaveBeenCalledTimes(1 + TEST_POLICY.maxAttempts);
      // Each reconnect came no sooner than its announced delay (timers may round down by 1 ms).
      retries.forEach((retry, i) => {
        expect(calledAt[i + 1] - calledAt[i]).toBeGreaterThanOrEqual(retry.delayMs - 1);
      });
      const error = expectChatClientError(outcome);
      expect(error.kind).toBe('interrupted');
      expect(error.retryable).toBe(true);
      expect(error.message).toBe('The connection was lost before the reply finished.');
      expect(textOf(outcome.frames)).toBe(DELTAS[0]);
    });

    it('starts the retry budget again after a connection that brought new frames', async () => {
      // Seven reconnects, one new frame each: more than maxRetries (4), yet never 4 in a row.
      const fetchStub = stubFetch((init, _url, call) => {
        const last = Number(new Headers(init?.headers).get('Last-Event-ID') ?? 0);
        return streamOf(
          call < 7 ? wireUntil(last + 2).slice(wireUntil(last + 1).length) : wireAfter(last),
        );
      });

      const outcome = await collect(streams.stream(request));

      expect(outcome.completed).toBe(true);
      expect(fetchStub).toHaveBeenCalledTimes(8);
      expect(reconnects(outcome).map((r) => r.attempt)).toEqual([1, 1, 1, 1, 1, 1, 1]);
      expect(textOf(outcome.frames)).toBe(DELTAS.join(''));
    });

    it('gives up when the outage outlasts maxOutageMs, even with retries left', async () => {
      const stream = withPolicy({ maxAttempts: 1_000, maxOutageMs: 40 });
      const fetchStub = stubFetch((_init, _url, call) =>
        call === 0 ? streamOf(wireUntil(3)) : Promise.reject(new TypeError('Failed to fetch')),
      );

      const outcome = await collect(stream.stream(request));

      expect(expectChatClientError(outcome).kind).toBe('interrupted');
      // 6 + 12 + 24 ms of waiting reach 40 ms by the fourth failure.
      expect(fetchStub.mock.calls.length).toBeLessThanOrEqual(5);
    });

    it('fails with "no longer available" (not retryable) when the stream to resume is gone', async () => {
      const fetchStub = stubFetch(
        () =>
          new Response(
            JSON.stringify({
              statusCode: 404,
              code: 'stream_not_found',
              message: 'No such stream.',
            }),
            { status: 404, headers: { 'Content-Type': 'application/json' } },
          ),
      );

      const outcome = await collect(streams.resume('s-9', '4'));

      const error = expectChatClientError(outcome);
      expect(error).toMatchObject({
        kind: 'gone',
        status: 404,
        code: 'stream_not_found',
        retryable: false,
        message: 'This reply is no longer available.',
      });
      expect(fetchStub).toHaveBeenCalledTimes(1);
      expect(fetchStub.mock.calls[0][0]).toBe('/api/streams/s-9/events');
      expect(headerOf(fetchStub, 0, 'Last-Event-ID')).toBe('4');
    });

    it('ends as gone when the stream expired during an outage, without retrying further', async () => {
      const fetchStub = stubFetch((_init, _url, call) =>
        call === 0
          ? streamOf(wireUntil(3))
          : new Response('{"statusCode":404,"code":"stream_not_found","message":"Gone."}', {
              status: 404,
              headers: { 'Content-Type': 'application/json' },
            }),
      );

      const outcome = await collect(streams.stream(request));

      expect(expectChatClientError(outcome).kind).toBe('gone');
      expect(fetchStub).toHaveBeenCalledTimes(2);
      expect(textOf(outcome.frames)).toBe(DELTAS[0]);
    });

    it('retries a 503 on resume, but not a 401', async () => {
      const unavailable = () => new Response('busy', { status: 503 });
      stubFetch((_init, _url, call) => (call === 0 ? unavailable() : streamOf(wireAfter(2))));
      const resumed = await collect(streams.resume('s-1', '2'));
      expect(resumed.completed).toBe(true);
      expect(textOf(resumed.frames)).toBe(DELTAS.slice(1).join(''));

      const fetchStub = stubFetch(() => new Response('', { status: 401 }));
      const refused = await collect(streams.resume('s-1', '2'));
      expect(expectChatClientError(refused).kind).toBe('unauthenticated');
      expect(fetchStub).toHaveBeenCalledTimes(1);
    });

    it('resumes a connection that stays silent for twice X-Stream-Heartbeat-Ms', async () => {
      const onCancel = jest.fn();
      const fetchStub = stubFetch((_init, _url, call) =>
        call === 0
          ? eventStream(bodyOf([encoder.encode(wireUntil(3))], { keepOpen: true, onCancel }), {
              'X-Stream-Heartbeat-Ms': '20',
            })
          : streamOf(wireAfter(2)),
      );

      const outcome = await collect(streams.stream(request));

      expect(outcome.completed).toBe(true);
      expect(textOf(outcome.frames)).toBe(DELTAS.join(''));
      expect(headerOf(fetchStub, 1, 'Last-Event-ID')).toBe('2');
      expect(onCancel).toHaveBeenCalled(); // the silent connection was let go
      expect(reconnects(outcome)[0].error.kind).toBe('interrupted');
    });

    it('counts keep-alive comments as signs of life: a quiet reply is not resumed', async () => {
      let comments = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          await new Promise((resolve) => setTimeout(resolve, 10));
          // 25 keep-alives 10 ms apart: 250 ms with no frame, never 100 ms with nothing.
          if (comments++ < 25) controller.enqueue(encoder.encode(': keep-alive\n\n'));
          else {
            controller.enqueue(encoder.encode(wireAfter(0)));
            controller.close();
          }
        },
      });
      const fetchStub = stubFetch(() => eventStream(body, { 'X-Stream-Heartbeat-Ms': '50' }));

      const outcome = await collect(streams.stream(request));

      expect(outcome.completed).toBe(true);
      expect(reconnects(outcome)).toEqual([]);
      expect(fetchStub).toHaveBeenCalledTimes(1);
    });

    it('uses the fallback heartbeat when the api sends none', async () => {
      const stream = withPolicy({ fallbackHeartbeatMs: 15 });
      const fetchStub = stubFetch((_init, _url, call) =>
        call === 0
          ? eventStream(bodyOf([encoder.encode(wireUntil(3))], { keepOpen: true }))
          : streamOf(wireAfter(2)),
      );

      const outcome = await collect(stream.stream(request));

      expect(outcome.completed).toBe(true);
      expect(fetchStub).toHaveBeenCalledTimes(2);
    });

    it('drops the connection when the browser goes offline, and retries at once when it is back', async () => {
      // A 60 s backoff: only the online event can make the reconnect come within the test.
      const stream = withPolicy({ initialDelayMs: 60_000, maxDelayMs: 60_000 });
      const onCancel = jest.fn();
      const fetchStub = stubFetch((_init, _url, call) =>
        call === 0
          ? eventStream(bodyOf([encoder.encode(wireUntil(3))], { keepOpen: true, onCancel }))
          : streamOf(wireAfter(2)),
      );
      const events: ChatStreamEvent[] = [];
      const done = collect(stream.stream(request).pipe(tap((e) => events.push(e))));
      await waitFor(
        () => framesOf(events).length === 2,
        () => `2 frames, got ${JSON.stringify(events)}`,
      );

      window.dispatchEvent(new Event('offline'));
      await waitFor(
        () => events.some((e) => e.kind === 'reconnecting'),
        () => `a reconnecting event, got ${JSON.stringify(events)}`,
      );
      expect(onCancel).toHaveBeenCalled();
      window.dispatchEvent(new Event('online'));
      const outcome = await done;

      expect(outcome.completed).toBe(true);
      expect(textOf(outcome.frames)).toBe(DELTAS.join(''));
      expect(reconnects(outcome)[0].error.kind).toBe('network');
      expect(fetchStub).toHaveBeenCalledTimes(2);
    });

    it('while the browser reports offline, waits for online instead of spending retries', async () => {
      let online = false;
      jest.spyOn(window.navigator, 'onLine', 'get').mockImplementation(() => online);
      let onlineAt = Number.POSITIVE_INFINITY;
      const calledAt: number[] = [];
      stubFetch((_init, _url, call) => {
        calledAt.push(Date.now());
        return call === 0 ? streamOf(wireUntil(3)) : streamOf(wireAfter(2));
      });
      setTimeout(() => {
        online = true;
        onlineAt = Date.now();
        window.dispatchEvent(new Event('online'));
      }, 100); // far past the first delay (6 ms)

      try {
        const outcome = await collect(streams.stream(request));

        expect(outcome.completed).toBe(true);
        expect(calledAt).toHaveLength(2);
        expect(calledAt[1]).toBeGreaterThanOrEqual(onlineAt);
      } finally {
        jest.restoreAllMocks();
      }
    });

    it('cancels the pending reconnect when the subscriber leaves during the wait', async () => {
      const stream = withPolicy({ initialDelayMs: 40, maxDelayMs: 40 });
      const fetchStub = stubFetch(() => streamOf(wireUntil(3)));
      let reconnecting = false;

      const subscription = stream.stream(request).subscribe((e) => {
        if (e.kind === 'reconnecting') reconnecting = true;
      });
      await waitFor(
        () => reconnecting,
        () => 'a reconnecting event',
      );
      subscription.unsubscribe();
      await new Promise((resolve) => setTimeout(resolve, 80));

      expect(fetchStub).toHaveBeenCalledTimes(1);
    });
  });

  describe('stop', () => {
    it('sends DELETE /api/streams/:id with same-origin credentials and resolves on 204', async () => {
      const fetchStub = stubFetch(() => new Response(null, { status: 204 }));

      await expect(streams.stop('s-1')).resolves.toBeUndefined();

      const [url, init] = fetchStub.mock.calls[0];
      expect(url).toBe('/api/streams/s-1');
      expect(init?.method).toBe('DELETE');
      expect(init?.credentials).toBe('same-origin');
    });

    it('rejects with gone for an unknown stream, and with network when the api is unreachable', async () => {
      stubFetch(
        () =>
          new Response('{"statusCode":404,"code":"stream_not_found","message":"x"}', {
            status: 404,
            headers: { 'Content-Type': 'application/json' },
          }),
      );
      await expect(streams.stop('s-1')).rejects.toMatchObject({ kind: 'gone' });

      stubFetch(() => Promise.reject(new TypeError('Failed to fetch')));
      await expect(streams.stop('s-1')).rejects.toMatchObject({ kind: 'network' });
    });
  });
});
