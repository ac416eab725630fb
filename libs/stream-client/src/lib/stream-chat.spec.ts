import { encodeFrame, type StreamFrame } from '@tokenstream/stream-contracts';
import { ChatClientError } from './chat-client-error';
import { streamChat } from './stream-chat';

const encoder = new TextEncoder();
const STREAM_ID = 's-1';
const frames: StreamFrame[] = [
  { type: 'start', streamId: STREAM_ID, model: 'm' },
  { type: 'text-delta', delta: 'Hél' },
  { type: 'text-delta', delta: 'lo 🙂' },
  { type: 'text-delta', delta: ' world' },
  { type: 'finish', finishReason: 'stop' },
];
const wire = (from: number) =>
  frames
    .slice(from)
    .map((frame, i) => encodeFrame(frame, String(from + i + 1)))
    .join('');

/** A real Response whose body sends `bytes` and then either ends or breaks off. */
function sse(bytes: Uint8Array, ending: 'end' | 'break' = 'end'): Response {
  return new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes);
        if (ending === 'end') controller.close();
      },
      // Breaking off on the next read, once the bytes were read: erroring at once would drop them.
      pull(controller) {
        if (ending === 'break') controller.error(new TypeError('terminated'));
      },
    }),
    { headers: { 'Content-Type': 'text/event-stream', 'X-Stream-Id': STREAM_ID } },
  );
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

/** A fetch that answers from a script and records what was asked. */
function scripted(...answers: (() => Response)[]) {
  const calls: { method: string; url: string; headers: Record<string, string> }[] = [];
  const fetchImpl = (async (input: string, init?: RequestInit) => {
    calls.push({
      method: init?.method ?? 'GET',
      url: String(input),
      headers: { ...(init?.headers as Record<string, string>) },
    });
    const next = answers.shift();
    if (!next) throw new TypeError('fetch failed');
    return next();
  }) as typeof fetch;
  return { calls, fetchImpl };
}

const request = { messages: [{ role: 'user' as const, content: 'Hi' }] };
const fast = { initialDelayMs: 1, maxDelayMs: 2 };

describe('streamChat', () => {
  it('streams the frames and gives the final text', async () => {
    const { fetchImpl, calls } = scripted(() => sse(encoder.encode(wire(0))));
    const result = await streamChat(request, { baseUrl: 'http://api/', fetch: fetchImpl }).final();
    expect(result).toEqual({
      streamId: STREAM_ID,
      text: 'Héllo 🙂 world',
      finish: { type: 'finish', finishReason: 'stop' },
    });
    expect(calls).toEqual([
      expect.objectContaining({ method: 'POST', url: 'http://api/api/chat/stream' }),
    ]);
  });

  it.each([10, 57, 80, 118])(
    'resumes after a cut %i bytes in with the last complete frame id, never sending the prompt again',
    async (cutAt) => {
      const all = encoder.encode(wire(0));
      const { fetchImpl, calls } = scripted(
        () => sse(all.slice(0, cutAt), 'break'),
        () => sse(encoder.encode(wire(completeFramesIn(all.slice(0, cutAt))))),
      );
      const reconnects: (string | undefined)[] = [];
      const seen: string[] = [];
      const stream = streamChat(request, {
        baseUrl: 'http://api',
        fetch: fetchImpl,
        resume: fast,
        onReconnect: ({ lastEventId }) => reconnects.push(lastEventId),
      });
      for await (const { id } of stream) seen.push(String(id));
      expect(seen).toEqual(['1', '2', '3', '4', '5']);
      expect((await stream.final()).text).toBe('Héllo 🙂 world');
      expect(calls.map((call) => call.method)).toEqual(['POST', 'GET']);
      expect(calls[1].url).toBe(`http://api/api/streams/${STREAM_ID}/events`);
      expect(calls[1].headers['Last-Event-ID']).toBe(reconnects[0]);
    },
  );

  it('says the stream is gone when the api no longer has it', async () => {
    const { fetchImpl } = scripted(
      () => sse(encoder.encode(wire(0)).slice(0, 70), 'break'),
      () => json(404, { statusCode: 404, code: 'stream_not_found', message: 'No such stream.' }),
    );
    const failure = streamChat(request, {
      baseUrl: 'http://api',
      fetch: fetchImpl,
      resume: fast,
    }).final();
    await expect(failure).rejects.toMatchObject({
      kind: 'gone',
      details: { status: 404, code: 'stream_not_found' },
    });
  });

  it('refuses to retry when the connection failed before a stream id was known', async () => {
    const { fetchImpl, calls } = scripted();
    const failure = streamChat(request, {
      baseUrl: 'http://api',
      fetch: fetchImpl,
      resume: fast,
    }).final();
    await expect(failure).rejects.toBeInstanceOf(ChatClientError);
    expect(calls).toHaveLength(1);
  });

  it('passes a 400 through with the problems the api named', async () => {
    const body = {
      statusCode: 400,
      code: 'invalid_request',
      message: 'Invalid request: messages',
      problems: [{ path: 'messages', message: 'x' }],
    };
    const { fetchImpl } = scripted(() => json(400, body));
    await expect(
      streamChat(request, { baseUrl: 'http://api', fetch: fetchImpl }).final(),
    ).rejects.toMatchObject({
      kind: 'rejected',
      message: 'Invalid request: messages',
      details: { status: 400, problems: body.problems },
    });
  });

  it('gives up after the allowed number of tries', async () => {
    const broken = () => sse(encoder.encode(wire(0)).slice(0, 70), 'break');
    const { fetchImpl, calls } = scripted(
      broken,
      () => json(503, {}),
      () => json(503, {}),
      () => json(503, {}),
    );
    const failure = streamChat(request, {
      baseUrl: 'http://api',
      fetch: fetchImpl,
      resume: { ...fast, maxAttempts: 2 },
    }).final();
    await expect(failure).rejects.toMatchObject({ kind: 'unavailable' });
    expect(calls).toHaveLength(3);
  });

  it('sends the bearer token and extra headers with every request', async () => {
    const { fetchImpl, calls } = scripted(() => sse(encoder.encode(wire(0))));
    await streamChat(request, {
      baseUrl: 'http://api',
      fetch: fetchImpl,
      token: async () => 'tok',
      headers: { 'X-Request-Id': 'r-1' },
    }).final();
    expect(calls[0].headers).toMatchObject({ Authorization: 'Bearer tok', 'X-Request-Id': 'r-1' });
  });
});

/** How many whole frames (ending in a blank line) the bytes hold. */
function completeFramesIn(bytes: Uint8Array): number {
  const text = new TextDecoder().decode(bytes);
  return (text.match(/\n\n/g) ?? []).length;
}
