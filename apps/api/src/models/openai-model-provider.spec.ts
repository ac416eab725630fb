import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI, { APIConnectionError, APIError } from 'openai';
import { splitIntoChunks, startMockOpenAi, type MockOpenAi } from '@tokenstream/mock-openai';
import type { ModelEvent, ModelRequest } from './model-provider';
import { OpenAiModelProvider } from './openai-model-provider';
import { createUpstreamFetch, type UpstreamFetch } from './upstream-fetch';
import { replyEvents } from './testing/model-replies';

const REPLY = 'Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich 🙂';
const request: ModelRequest = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] };

/** Every event of one reply, and what ended it if it was not its `finish`. */
async function collect(
  provider: OpenAiModelProvider,
  signal = new AbortController().signal,
): Promise<{ events: ModelEvent[]; error: unknown }> {
  const events: ModelEvent[] = [];
  try {
    for await (const event of replyEvents(provider, request, signal)) events.push(event);
    return { events, error: undefined };
  } catch (error) {
    return { events, error };
  }
}

function deltasOf(events: ModelEvent[]): string[] {
  return events.flatMap((event) => (event.type === 'delta' ? [event.text] : []));
}

function chunkLine(content: string): string {
  const chunk = {
    id: 'chatcmpl-raw',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

/** An upstream that answers every request with `body`, written in one write, then ends. */
async function rawUpstream(body: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    res.end(body);
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/v1` };
}

// The api's transport, and the SDK's own (undici's fetch) for a client built without it.
describe.each<[string, UpstreamFetch | undefined]>([
  ["Node http (the api's)", createUpstreamFetch()],
  ['the global fetch', undefined],
])('OpenAiModelProvider, with the openai SDK over %s against the mock upstream', (_, fetch) => {
  let mock: MockOpenAi;
  let provider: OpenAiModelProvider;

  function providerAt(baseURL: string): OpenAiModelProvider {
    return new OpenAiModelProvider(
      new OpenAI({ apiKey: 'sk-test', baseURL, maxRetries: 0, fetch }),
    );
  }

  beforeAll(async () => {
    mock = await startMockOpenAi({ reply: REPLY });
    provider = providerAt(mock.url);
  });
  afterAll(() => mock.close());
  beforeEach(() => mock.reset());

  it('yields a token that arrives alone as a delta of its own, at once', async () => {
    mock.configure({ reply: REPLY, chunks: 6, chunkDelayMs: 30 });
    const { events, error } = await collect(provider);
    expect(error).toBeUndefined();
    expect(deltasOf(events)).toEqual(splitIntoChunks(REPLY, 6));
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
  });

  it('yields the tokens of one burst as one delta: one frame, not one per token', async () => {
    mock.configure({ reply: REPLY, chunks: 12, chunksPerWrite: 4, chunkDelayMs: 30 });
    const { events, error } = await collect(provider);
    expect(error).toBeUndefined();
    const deltas = deltasOf(events);
    expect(deltas.join('')).toBe(REPLY);
    // Three writes of four tokens; a read never holds less than the write it came in.
    expect(deltas.length).toBeLessThanOrEqual(3);
  });

  it('reports the usage and finish reason the upstream sent', async () => {
    mock.configure({ reply: REPLY, chunks: 3, chunkDelayMs: 0, finishReason: 'length' });
    const { events } = await collect(provider);
    expect(events.at(-1)).toEqual({
      type: 'finish',
      finishReason: 'length',
      usage: expect.objectContaining({ completionTokens: 3 }),
    });
  });

  it('ends quietly, and closes the upstream request, when the signal aborts mid-reply', async () => {
    mock.configure({ reply: REPLY, chunks: 20, chunkDelayMs: 50 });
    const abort = new AbortController();
    const events: ModelEvent[] = [];
    for await (const event of replyEvents(provider, request, abort.signal)) {
      events.push(event);
      if (events.length === 2) abort.abort();
    }
    expect(deltasOf(events)).toEqual(splitIntoChunks(REPLY, 20).slice(0, 2));
    await mock.waitFor((stats) => stats.streamsAborted === 1, 2000);
  });

  it('throws what the SDK throws for a refused request', async () => {
    mock.configure({ fault: 'status', faultStatus: 401 });
    const { events, error } = await collect(provider);
    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(401);
    expect((error as APIError).message).toMatch(/401/);
  });

  it('fails with a connection error when nothing listens', async () => {
    const gone = await rawUpstream('');
    gone.server.close();
    const { events, error } = await collect(providerAt(gone.url));
    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(APIConnectionError);
  });

  describe('with chunks that arrive in one read (a raw upstream)', () => {
    let server: Server | undefined;
    afterEach(() => server?.close());

    async function providerFor(body: string): Promise<OpenAiModelProvider> {
      const upstream = await rawUpstream(body);
      server = upstream.server;
      return providerAt(upstream.url);
    }

    it('delivers the text before a malformed chunk of the same read, then fails', async () => {
      const { events, error } = await collect(
        await providerFor(chunkLine('kept ') + chunkLine('too') + 'data: {not json\n\n'),
      );
      expect(deltasOf(events)).toEqual(['kept too']);
      expect(error).toBeInstanceOf(SyntaxError);
    });

    it('fails with an APIError for an error the upstream reports inside the stream', async () => {
      const { events, error } = await collect(
        await providerFor(
          chunkLine('partial') +
            'data: {"error":{"message":"overloaded","type":"server_error"}}\n\n',
        ),
      );
      expect(deltasOf(events)).toEqual(['partial']);
      expect(error).toBeInstanceOf(APIError);
    });

    it('pushes nothing after the end when the sink stops the reply as it takes an event', async () => {
      const reasoning = {
        id: 'chatcmpl-raw',
        object: 'chat.completion.chunk',
        created: 0,
        model: 'gpt-4o-mini',
        choices: [{ index: 0, delta: { reasoning_content: 'thinking' }, finish_reason: null }],
      };
      // Thinking and text in one read: the sink aborts at the thinking, within the same turn.
      const provider = await providerFor(
        `data: ${JSON.stringify(reasoning)}\n\n` + chunkLine('never seen'),
      );
      const abort = new AbortController();
      const seen: string[] = [];
      await new Promise<void>((ended) =>
        provider.stream(request, abort.signal, {
          next: (event) => {
            seen.push(event.type);
            abort.abort();
          },
          done: () => {
            seen.push('done');
            ended();
          },
          fail: () => seen.push('failed'),
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(seen).toEqual(['reasoning', 'done']);
    });

    it('ignores what follows [DONE], and fails a body that ends without a finish reason', async () => {
      const { events, error } = await collect(
        await providerFor(chunkLine('cut short') + 'data: [DONE]\n\n' + chunkLine('after')),
      );
      expect(deltasOf(events)).toEqual(['cut short']);
      expect(error).toMatchObject({ name: 'UpstreamEndedEarlyError' });
    });
  });
});
