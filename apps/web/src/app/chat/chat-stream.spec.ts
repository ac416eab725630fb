import { TestBed } from '@angular/core/testing';
import { ChatRequest, ReceivedFrame } from '@tokenstream/stream-contracts';
import { Observable } from 'rxjs';
import { ChatStream } from './chat-stream';
import { ChatStreamError } from './chat-stream-error';

const encoder = new TextEncoder();
const request: ChatRequest = { messages: [{ role: 'user', content: 'Hi' }], model: 'demo' };

/** The wire text of one frame as the api sends it. */
function event(id: number, frame: object): string {
  return `id: ${id}\ndata: ${JSON.stringify(frame)}\n\n`;
}

const WIRE =
  ': keep-alive\n\n' +
  event(0, { type: 'start', streamId: 's-1', model: 'demo' }) +
  event(1, { type: 'text-delta', delta: 'Hi 👋' }) +
  event(2, { type: 'text-delta', delta: ' there' }) +
  event(3, { type: 'finish', finishReason: 'stop' });

const EXPECTED: ReceivedFrame[] = [
  { id: '0', frame: { type: 'start', streamId: 's-1', model: 'demo' } },
  { id: '1', frame: { type: 'text-delta', delta: 'Hi 👋' } },
  { id: '2', frame: { type: 'text-delta', delta: ' there' } },
  { id: '3', frame: { type: 'finish', finishReason: 'stop' } },
];

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

function eventStream(body: ReadableStream<Uint8Array>, headers: Record<string, string> = {}) {
  return new Response(body, {
    status: 200,
    headers: { 'Content-Type': 'text/event-stream', 'X-Stream-Id': 's-1', ...headers },
  });
}

type FetchStub = jest.Mock<Promise<Response>, [RequestInfo | URL, RequestInit | undefined]>;

function stubFetch(
  answer: (init: RequestInit | undefined) => Response | Promise<Response>,
): FetchStub {
  const stub: FetchStub = jest.fn(async (_input, init) => answer(init));
  globalThis.fetch = stub as unknown as typeof fetch;
  return stub;
}

interface Outcome {
  frames: ReceivedFrame[];
  error?: unknown;
  completed: boolean;
}

/** Subscribes and waits for the end, failing with what arrived so far if it does not come. */
function collect(frames$: Observable<ReceivedFrame>, timeoutMs = 2000): Promise<Outcome> {
  const outcome: Outcome = { frames: [], completed: false };
  return new Promise<Outcome>((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.unsubscribe();
      reject(new Error(`stream did not end in ${timeoutMs} ms; got ${JSON.stringify(outcome)}`));
    }, timeoutMs);
    const subscription = frames$.subscribe({
      next: (frame) => outcome.frames.push(frame),
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

function expectChatStreamError(outcome: Outcome): ChatStreamError {
  expect(outcome.error).toBeInstanceOf(ChatStreamError);
  return outcome.error as ChatStreamError;
}

describe('ChatStream', () => {
  let chatStream: ChatStream;
  const originalFetch = globalThis.fetch;

  beforeEach(() => {
    chatStream = TestBed.inject(ChatStream);
  });

  afterEach(() => {
    globalThis.fetch = originalFetch;
  });

  it('posts the request as JSON, asking for an event stream with same-origin credentials', async () => {
    const fetchStub = stubFetch(() => eventStream(bodyOf([encoder.encode(WIRE)])));

    await collect(chatStream.stream(request));

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

    chatStream.stream(request);

    expect(fetchStub).not.toHaveBeenCalled();
  });

  it('emits every frame with its id and completes, from a body cut mid-frame and mid-character', async () => {
    const bytes = encoder.encode(WIRE);
    const emoji = bytes.indexOf(0xf0); // the first byte of 👋's four
    const midJson = WIRE.indexOf('"streamId"') + 4;
    stubFetch(() => eventStream(bodyOf(cut(bytes, [5, midJson, emoji + 2, emoji + 3]))));

    const outcome = await collect(chatStream.stream(request));

    expect(outcome.frames).toEqual(EXPECTED);
    expect(outcome.error).toBeUndefined();
    expect(outcome.completed).toBe(true);
  });

  it('emits the same frames from a body delivered one byte at a time', async () => {
    const bytes = encoder.encode(WIRE);
    const offsets = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    stubFetch(() => eventStream(bodyOf(cut(bytes, offsets))));

    const outcome = await collect(chatStream.stream(request));

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

    const outcome = await collect(chatStream.stream(request));

    expect(outcome.frames.map((received) => received.frame.type)).toEqual(['start', 'error']);
    expect(outcome.completed).toBe(true);
  });

  it('aborts the request and cancels the body when the subscriber unsubscribes mid-stream', async () => {
    const onCancel = jest.fn();
    const opening = WIRE.slice(0, WIRE.indexOf('id: 2'));
    const fetchStub = stubFetch(() =>
      eventStream(bodyOf([encoder.encode(opening)], { keepOpen: true, onCancel })),
    );
    const frames: ReceivedFrame[] = [];
    const errors: unknown[] = [];

    const subscription = chatStream.stream(request).subscribe({
      next: (frame) => frames.push(frame),
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

    const subscription = chatStream
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

  it('fails as interrupted (retryable) when the body ends before a finish or error frame', async () => {
    const opening = WIRE.slice(0, WIRE.indexOf('id: 2'));
    stubFetch(() => eventStream(bodyOf([encoder.encode(opening)])));

    const outcome = await collect(chatStream.stream(request));

    expect(outcome.frames).toEqual(EXPECTED.slice(0, 2));
    const error = expectChatStreamError(outcome);
    expect(error.kind).toBe('interrupted');
    expect(error.retryable).toBe(true);
  });

  it('fails as interrupted when the connection breaks mid-body', async () => {
    const opening = encoder.encode(WIRE.slice(0, WIRE.indexOf('id: 2')));
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) controller.error(new TypeError('terminated'));
        else controller.enqueue(opening);
        sent = true;
      },
    });
    stubFetch(() => eventStream(body));

    const outcome = await collect(chatStream.stream(request));

    expect(outcome.frames).toHaveLength(2);
    expect(expectChatStreamError(outcome).kind).toBe('interrupted');
  });

  it('fails as protocol when the stream carries data that is not a frame', async () => {
    stubFetch(() => eventStream(bodyOf([encoder.encode('id: 0\ndata: {not json\n\n')])));

    const outcome = await collect(chatStream.stream(request));

    const error = expectChatStreamError(outcome);
    expect(error.kind).toBe('protocol');
    expect(error.message).not.toContain('not json');
  });

  it('fails as network (retryable) when fetch itself rejects', async () => {
    stubFetch(() => Promise.reject(new TypeError('Failed to fetch')));

    const error = expectChatStreamError(await collect(chatStream.stream(request)));

    expect(error.kind).toBe('network');
    expect(error.retryable).toBe(true);
  });

  describe('refuses to parse what is not an event stream', () => {
    function answer(status: number, contentType: string, body: string): Response {
      return new Response(body, { status, headers: { 'Content-Type': contentType } });
    }

    it('gives unauthenticated for a 401', async () => {
      stubFetch(() => answer(401, 'application/json', '{"statusCode":401,"code":"http_error"}'));

      const error = expectChatStreamError(await collect(chatStream.stream(request)));

      expect(error.kind).toBe('unauthenticated');
      expect(error.status).toBe(401);
      expect(error.retryable).toBe(false);
    });

    it('gives unauthenticated for an HTML login page answered with 200', async () => {
      stubFetch(() => answer(200, 'text/html; charset=utf-8', '<!doctype html><h1>Sign in</h1>'));

      const error = expectChatStreamError(await collect(chatStream.stream(request)));

      expect(error.kind).toBe('unauthenticated');
      expect(error.message).not.toContain('Sign in</h1>');
    });

    it('gives unauthenticated when an SSO proxy redirected the request', async () => {
      stubFetch(() => {
        const response = answer(200, 'text/plain', 'login');
        Object.defineProperty(response, 'redirected', { value: true });
        return response;
      });

      expect(expectChatStreamError(await collect(chatStream.stream(request))).kind).toBe(
        'unauthenticated',
      );
    });

    it('does not follow redirects, and reads an opaque redirect as an expired session', async () => {
      const fetchStub = stubFetch(() => {
        const response = answer(200, 'text/plain', '');
        Object.defineProperty(response, 'type', { value: 'opaqueredirect' });
        return response;
      });

      const error = expectChatStreamError(await collect(chatStream.stream(request)));

      expect(fetchStub.mock.calls[0][1]?.redirect).toBe('manual');
      expect(error.kind).toBe('unauthenticated');
    });

    it("gives unauthenticated for a proxy's 403 page", async () => {
      stubFetch(() => answer(403, 'text/html', '<h1>403 Forbidden</h1>'));

      expect(expectChatStreamError(await collect(chatStream.stream(request))).kind).toBe(
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

      const error = expectChatStreamError(await collect(chatStream.stream(request)));

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

      const error = expectChatStreamError(await collect(chatStream.stream(request)));

      expect(error).toMatchObject({
        kind: 'unavailable',
        code: 'server_shutting_down',
        retryable: true,
        message: 'The server is restarting. Try again.',
      });
    });

    it("gives unavailable (retryable) for a proxy's 502 text/plain page, without quoting it", async () => {
      stubFetch(() => answer(502, 'text/plain', 'upstream connect error or disconnect/reset'));

      const error = expectChatStreamError(await collect(chatStream.stream(request)));

      expect(error.kind).toBe('unavailable');
      expect(error.status).toBe(502);
      expect(error.retryable).toBe(true);
      expect(error.message).toContain('502');
      expect(error.message).not.toContain('upstream connect');
    });

    it('gives unavailable for a 500 whose JSON is not an ApiErrorBody, without crashing', async () => {
      stubFetch(() => answer(500, 'application/json', '{"oops":'));

      expect(expectChatStreamError(await collect(chatStream.stream(request))).kind).toBe(
        'unavailable',
      );
    });

    it('gives not-a-stream for a 200 that is JSON', async () => {
      stubFetch(() => answer(200, 'application/json', '{"choices":[]}'));

      expect(expectChatStreamError(await collect(chatStream.stream(request))).kind).toBe(
        'not-a-stream',
      );
    });
  });
});
