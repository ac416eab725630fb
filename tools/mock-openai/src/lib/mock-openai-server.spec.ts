import {
  APIConnectionError,
  AuthenticationError,
  AzureOpenAI,
  BadRequestError,
  InternalServerError,
  OpenAI,
  RateLimitError,
  type ClientOptions,
} from 'openai';
import type { AzureClientOptions } from 'openai/azure';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { Stream } from 'openai/streaming';
import { DEFAULT_REPLY, type MockOptions } from './mock-options';
import { startMockOpenAi, type MockOpenAi } from './mock-openai-server';
import type { MockStats } from './mock-stats';
import { REQUEST_OPTIONS_PREFIX } from './request-options';
import { splitIntoChunks } from './split-into-chunks';

// Every read of a stream is bounded: a mock bug must fail a test, not hang the run.
const READ_TIMEOUT_MS = 3000;
const MESSAGES = [{ role: 'user' as const, content: 'Say something deterministic.' }];

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`timed out after ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface Drained {
  chunks: ChatCompletionChunk[];
  /** What the iteration threw, if anything. */
  error: unknown;
}

/** Reads a whole SDK stream, keeping what arrived before an error. */
async function drain(
  stream: Stream<ChatCompletionChunk>,
  onChunk: (chunk: ChatCompletionChunk) => void = () => undefined,
): Promise<Drained> {
  const chunks: ChatCompletionChunk[] = [];
  const read = async (): Promise<unknown> => {
    try {
      for await (const chunk of stream) {
        chunks.push(chunk);
        onChunk(chunk);
      }
      return undefined;
    } catch (error) {
      return error;
    }
  };
  const error = await withTimeout(read(), READ_TIMEOUT_MS, () => stream.controller.abort());
  return { chunks, error };
}

/**
 * Asserts `error` is a real failure, not an abort. Node's fetch creates its errors in another realm than
 * jest's sandbox, so `toBeInstanceOf(Error)` would reject them.
 */
function expectFailure(error: unknown, name?: string): void {
  expect(error).toMatchObject({ name: name ?? expect.any(String), message: expect.any(String) });
  expect(error).not.toMatchObject({ name: 'AbortError' });
}

function contentOf(chunks: readonly ChatCompletionChunk[]): string[] {
  return chunks.flatMap((chunk) => {
    const content = chunk.choices[0]?.delta.content;
    return content ? [content] : [];
  });
}

/** Headers of a raw fetch, bounded like every stream read. */
function rawFetch(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(READ_TIMEOUT_MS) });
}

function postJson(url: string, body: unknown): Promise<Response> {
  return rawFetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
    body: JSON.stringify(body),
  });
}

describe('startMockOpenAi with the openai SDK', () => {
  let mock: MockOpenAi;
  let client: OpenAI;

  const newClient = (options: ClientOptions = {}): OpenAI =>
    new OpenAI({ apiKey: 'sk-test', baseURL: mock.url, maxRetries: 0, ...options });

  const openStream = (
    extra: { stream_options?: { include_usage: boolean }; model?: string } = {},
    signal?: AbortSignal,
  ): Promise<Stream<ChatCompletionChunk>> =>
    client.chat.completions.create(
      { model: 'gpt-4o-mini', messages: MESSAGES, stream: true, ...extra },
      { signal },
    );

  const startWith = async (options: Partial<MockOptions>): Promise<void> => {
    await mock.close();
    mock = await startMockOpenAi({ port: 0, ...options });
    client = newClient();
  };

  beforeEach(async () => {
    mock = await startMockOpenAi({ port: 0, chunkDelayMs: 1 });
    client = newClient();
  });

  afterEach(async () => {
    await mock.close();
  });

  it('listens on an ephemeral port and exposes the SDK base URL and the origin', () => {
    expect(mock.port).toBeGreaterThan(0);
    expect(mock.url).toBe(`http://127.0.0.1:${mock.port}/v1`);
    expect(mock.origin).toBe(`http://127.0.0.1:${mock.port}`);
  });

  describe('streaming', () => {
    it('streams the default reply in the configured number of content chunks', async () => {
      const { chunks, error } = await drain(await openStream());

      expect(error).toBeUndefined();
      expect(contentOf(chunks).join('')).toBe(DEFAULT_REPLY);
      expect(contentOf(chunks)).toEqual(splitIntoChunks(DEFAULT_REPLY, 20));
      expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
      expect(chunks.at(-1)?.choices[0]).toEqual({
        index: 0,
        delta: {},
        finish_reason: 'stop',
        logprobs: null,
      });
      // role chunk + 20 content chunks + finish chunk, all of one completion
      expect(chunks).toHaveLength(22);
      for (const chunk of chunks) {
        expect(chunk.id).toBe(chunks[0].id);
        expect(chunk.object).toBe('chat.completion.chunk');
        expect(chunk.model).toBe('gpt-4o-mini');
        expect(chunk.choices[0].finish_reason ?? null).toBe(
          chunk === chunks.at(-1) ? 'stop' : null,
        );
      }
      expect(chunks[0].id).toMatch(/^chatcmpl-/);
      expect(mock.stats()).toMatchObject({
        requests: 1,
        streamsStarted: 1,
        streamsCompleted: 1,
        streamsAborted: 0,
        chunksSent: 20,
      });
    });

    it('streams a configured reply in a configured number of chunks, echoing the model', async () => {
      const reply = 'Héllo 日本語 🙂🙂 wörld';
      mock.configure({ reply, chunks: 7 });

      const { chunks } = await drain(await openStream({ model: 'gpt-4o' }));

      expect(contentOf(chunks)).toEqual(splitIntoChunks(reply, 7));
      expect(contentOf(chunks).join('')).toBe(reply);
      expect(new Set(chunks.map((chunk) => chunk.model))).toEqual(new Set(['gpt-4o']));
    });

    it('sends no usage chunk unless stream_options.include_usage is set', async () => {
      const { chunks } = await drain(await openStream());

      expect(chunks.every((chunk) => chunk.choices.length === 1)).toBe(true);
      expect(chunks.some((chunk) => 'usage' in chunk)).toBe(false);
    });

    it('sends a usage chunk with no choices last when include_usage is set', async () => {
      mock.configure({ chunks: 5 });

      const { chunks } = await drain(await openStream({ stream_options: { include_usage: true } }));

      const last = chunks.at(-1);
      expect(last?.choices).toEqual([]);
      expect(last?.usage).toEqual({
        prompt_tokens: expect.any(Number),
        completion_tokens: 5,
        total_tokens: (last?.usage?.prompt_tokens ?? NaN) + 5,
      });
      expect(chunks.at(-2)?.choices[0].finish_reason).toBe('stop');
      // As OpenAI does: the other chunks carry usage: null.
      expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    });

    it.each(['stop', 'length', 'content_filter'] as const)(
      'ends with finish_reason %s when configured',
      async (finishReason) => {
        mock.configure({ finishReason });

        const { chunks } = await drain(await openStream());

        expect(chunks.at(-1)?.choices[0].finish_reason).toBe(finishReason);
      },
    );

    it('streams only the role and finish chunks for an empty reply', async () => {
      mock.configure({ reply: '' });

      const { chunks, error } = await drain(await openStream());

      expect(error).toBeUndefined();
      expect(contentOf(chunks)).toEqual([]);
      expect(chunks).toHaveLength(2);
      expect(mock.stats().streamsCompleted).toBe(1);
    });

    it('waits firstTokenDelayMs after the headers before the first content chunk', async () => {
      mock.configure({ firstTokenDelayMs: 150, chunkDelayMs: 0 });

      const stream = await openStream();
      const headersAt = Date.now();
      let firstContentAt = 0;
      await drain(stream, (chunk) => {
        if (!firstContentAt && chunk.choices[0]?.delta.content) firstContentAt = Date.now();
      });

      // A little slack: timers may fire a millisecond early on some platforms.
      expect(firstContentAt - headersAt).toBeGreaterThanOrEqual(140);
    });

    it('sends chunksPerWrite content chunks back to back, chunkDelayMs between two writes', async () => {
      mock.configure({ reply: 'abcdef', chunks: 6, chunksPerWrite: 3, chunkDelayMs: 300 });

      const arrivals: { content: string; at: number }[] = [];
      const { error } = await drain(await openStream(), (chunk) => {
        const content = chunk.choices[0]?.delta.content;
        if (content) arrivals.push({ content, at: Date.now() });
      });

      expect(error).toBeUndefined();
      expect(arrivals.map((arrival) => arrival.content)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
      const apart = (from: number, to: number) => arrivals[to].at - arrivals[from].at;
      expect(apart(0, 2)).toBeLessThan(100);
      expect(apart(0, 3)).toBeGreaterThanOrEqual(290);
      expect(apart(3, 5)).toBeLessThan(100);
      expect(mock.stats()).toMatchObject({ chunksSent: 6, streamsCompleted: 1 });
    });

    it('puts the exact OpenAI SSE framing on the wire', async () => {
      mock.configure({ reply: 'ab', chunks: 2 });

      const response = await postJson(`${mock.url}/chat/completions`, {
        model: 'gpt-4o-mini',
        messages: MESSAGES,
        stream: true,
        stream_options: { include_usage: true },
      });
      const text = await response.text();

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(response.headers.get('x-request-id')).toMatch(/^req_/);
      expect(text.endsWith('\n\ndata: [DONE]\n\n')).toBe(true);
      const events = text.split('\n\n').filter((event) => event.length > 0);
      expect(events.every((event) => event.startsWith('data: '))).toBe(true);
      const payloads = events.slice(0, -1).map((event): unknown => JSON.parse(event.slice(6)));
      expect(payloads).toHaveLength(5); // role, "a", "b", finish, usage
      expect(payloads[1]).toEqual({
        id: expect.stringMatching(/^chatcmpl-/),
        object: 'chat.completion.chunk',
        created: expect.any(Number),
        model: 'gpt-4o-mini',
        system_fingerprint: expect.any(String),
        choices: [{ index: 0, delta: { content: 'a' }, logprobs: null, finish_reason: null }],
        usage: null,
      });
    });
  });

  describe('non-streaming', () => {
    it('answers a chat.completion with message, finish_reason and usage', async () => {
      mock.configure({ chunks: 4, finishReason: 'length' });

      const completion = await client.chat.completions.create({
        model: 'gpt-4o',
        messages: MESSAGES,
      });

      expect(completion.object).toBe('chat.completion');
      expect(completion.id).toMatch(/^chatcmpl-/);
      expect(completion.model).toBe('gpt-4o');
      expect(completion.choices[0].message).toMatchObject({
        role: 'assistant',
        content: DEFAULT_REPLY,
      });
      expect(completion.choices[0].finish_reason).toBe('length');
      expect(completion.usage).toMatchObject({ completion_tokens: 4 });
      expect(mock.stats()).toMatchObject({ requests: 1, streamsStarted: 0 });
    });

    it('rejects stream_options without stream, like OpenAI', async () => {
      const response = await postJson(`${mock.url}/chat/completions`, {
        model: 'gpt-4o',
        messages: MESSAGES,
        stream_options: { include_usage: true },
      });

      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        error: { type: 'invalid_request_error', param: 'stream_options' },
      });
    });

    it('answers 400 in OpenAI shape for a missing model', async () => {
      await expect(
        client.chat.completions.create({ model: '', messages: MESSAGES }),
      ).rejects.toBeInstanceOf(BadRequestError);
    });
  });

  describe('models', () => {
    it('lists the default models in the OpenAI list format', async () => {
      const page = await client.models.list();

      expect(page.data.map((model) => model.id)).toEqual(['gpt-4o-mini', 'gpt-4o']);
      expect(page.data[0]).toMatchObject({ object: 'model', owned_by: 'system' });
    });

    it('lists configured models and retrieves one', async () => {
      mock.configure({ models: ['m-1', 'm-2', 'm-3'] });

      const page = await client.models.list();
      const model = await client.models.retrieve('m-2');

      expect(page.data.map((entry) => entry.id)).toEqual(['m-1', 'm-2', 'm-3']);
      expect(model.id).toBe('m-2');
    });
  });

  describe('requests as received', () => {
    it('records the body and Authorization header of the last request', async () => {
      await drain(
        await client.chat.completions.create({
          model: 'gpt-4o',
          messages: MESSAGES,
          temperature: 0.2,
          max_tokens: 64,
          stream: true,
          stream_options: { include_usage: true },
        }),
      );

      const request = mock.stats().lastRequest;
      expect(request?.path).toBe('/v1/chat/completions');
      expect(request?.authorization).toBe('Bearer sk-test');
      expect(request?.apiKey).toBeUndefined();
      expect(request?.traceparent).toBeUndefined();
      expect(request?.body.model).toBe('gpt-4o');
      expect(request?.body.temperature).toBe(0.2);
      expect(request?.body.max_tokens).toBe(64);
      expect(request?.body.stream).toBe(true);
      expect(request?.body.stream_options).toEqual({ include_usage: true });
      expect(request?.body.messages).toEqual(MESSAGES);
    });

    it('records the traceparent a traced caller sends', async () => {
      const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      await client.chat.completions.create(
        { model: 'gpt-4o', messages: MESSAGES },
        { headers: { traceparent } },
      );

      expect(mock.stats().lastRequest?.traceparent).toBe(traceparent);
    });

    it('keeps every request of a two-step exchange in recentRequests, oldest first', async () => {
      const first = await client.chat.completions.create({ model: 'gpt-4o', messages: MESSAGES });
      const followUp = [
        ...MESSAGES,
        first.choices[0].message,
        { role: 'user' as const, content: 'More.' },
      ];
      await drain(
        await client.chat.completions.create({ model: 'gpt-4o', messages: followUp, stream: true }),
      );

      const { recentRequests, lastRequest } = mock.stats();
      expect(recentRequests.map((request) => request.body.messages)).toEqual([
        MESSAGES,
        JSON.parse(JSON.stringify(followUp)),
      ]);
      expect(recentRequests.map((request) => request.body.stream)).toEqual([undefined, true]);
      expect(lastRequest).toEqual(recentRequests[1]);
    });

    it('keeps the last 50 requests, and each snapshot is a copy of its own', async () => {
      for (let index = 0; index < 52; index += 1) {
        const response = await postJson(`${mock.url}/chat/completions`, { model: `m-${index}` });
        expect(response.status).toBe(400); // no messages: answered at once, recorded all the same
      }

      const stats = mock.stats();
      expect(stats.requests).toBe(52);
      expect(stats.recentRequests).toHaveLength(50);
      expect(stats.recentRequests[0].body.model).toBe('m-2');
      expect(stats.recentRequests.at(-1)?.body.model).toBe('m-51');
      stats.recentRequests[0].body.model = 'changed';
      stats.recentRequests.pop();
      if (stats.lastRequest) stats.lastRequest.path = 'changed';
      const again = mock.stats();
      expect(again.recentRequests).toHaveLength(50);
      expect(again.recentRequests[0].body.model).toBe('m-2');
      expect(again.lastRequest?.path).toBe('/v1/chat/completions');
    });

    it('answers 401 when requireApiKey does not match, and serves the right key', async () => {
      mock.configure({ requireApiKey: 'sk-right' });

      await expect(openStream()).rejects.toBeInstanceOf(AuthenticationError);
      await expect(client.models.list()).rejects.toBeInstanceOf(AuthenticationError);
      const good = newClient({ apiKey: 'sk-right' });
      const { chunks } = await drain(
        await good.chat.completions.create({ model: 'm', messages: MESSAGES, stream: true }),
      );

      expect(contentOf(chunks).join('')).toBe(DEFAULT_REPLY);
      expect(mock.stats().requests).toBe(2);
      mock.configure({ requireApiKey: undefined });
      await expect(client.models.list()).resolves.toBeDefined();
    });
  });

  describe('faults', () => {
    it('maps status 401 to AuthenticationError with an OpenAI error body', async () => {
      mock.configure({ fault: 'status', faultStatus: 401 });

      const error: unknown = await openStream().catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error).toMatchObject({ status: 401, code: 'invalid_api_key' });
      expect(mock.stats()).toMatchObject({ requests: 1, streamsStarted: 0, faultsInjected: 1 });
    });

    it('maps status 429 to RateLimitError with the Retry-After header', async () => {
      mock.configure({ fault: 'status', faultStatus: 429, faultRetryAfterSeconds: 7 });

      const error: unknown = await openStream().catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(RateLimitError);
      expect(error).toMatchObject({ status: 429, code: 'rate_limit_exceeded', type: 'requests' });
      expect(error instanceof RateLimitError && error.headers.get('retry-after')).toBe('7');
    });

    it.each([500, 503])('maps status %d to InternalServerError', async (faultStatus) => {
      mock.configure({ fault: 'status', faultStatus });

      const error: unknown = await openStream().catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(InternalServerError);
      expect(error).toMatchObject({ status: faultStatus, type: 'server_error' });
    });

    it('applies the fault to faultCount requests only: 429, then a normal stream', async () => {
      mock.configure({ fault: 'status', faultStatus: 429, faultCount: 1 });

      await expect(openStream()).rejects.toBeInstanceOf(RateLimitError);
      const { chunks, error } = await drain(await openStream());

      expect(error).toBeUndefined();
      expect(contentOf(chunks).join('')).toBe(DEFAULT_REPLY);
      expect(mock.stats()).toMatchObject({ requests: 2, faultsInjected: 1, streamsCompleted: 1 });
    });

    it('cut: the SDK iteration throws after cutAfterChunks content chunks', async () => {
      mock.configure({ fault: 'cut', cutAfterChunks: 3 });

      const { chunks, error } = await drain(await openStream());

      expectFailure(error);
      expect(contentOf(chunks)).toEqual(splitIntoChunks(DEFAULT_REPLY, 20).slice(0, 3));
      expect(mock.stats()).toMatchObject({
        streamsStarted: 1,
        streamsCompleted: 0,
        streamsAborted: 0,
        streamsFaulted: 1,
        chunksSent: 3,
      });
    });

    it('cut inside a write of several chunks: exactly cutAfterChunks content chunks arrive', async () => {
      mock.configure({ fault: 'cut', cutAfterChunks: 3, chunksPerWrite: 5 });

      const { chunks, error } = await drain(await openStream());

      expectFailure(error);
      expect(contentOf(chunks)).toEqual(splitIntoChunks(DEFAULT_REPLY, 20).slice(0, 3));
      expect(mock.stats()).toMatchObject({ streamsFaulted: 1, chunksSent: 3 });
    });

    it('cut past the last chunk: all content arrives, then the stream breaks before finishing', async () => {
      mock.configure({ fault: 'cut', cutAfterChunks: 99, chunks: 4 });

      const { chunks, error } = await drain(await openStream());

      expectFailure(error);
      expect(contentOf(chunks).join('')).toBe(DEFAULT_REPLY);
      expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason)).toBe(false);
    });

    it('malformed: the SDK iteration throws on the bad JSON event', async () => {
      mock.configure({ fault: 'malformed', cutAfterChunks: 2 });
      // The SDK logs the unparsable event before throwing; keep the test output clean.
      client = newClient({ logLevel: 'off' });

      const { chunks, error } = await drain(await openStream());

      expectFailure(error, 'SyntaxError');
      expect(contentOf(chunks)).toHaveLength(2);
      expect(mock.stats()).toMatchObject({
        streamsCompleted: 0,
        streamsAborted: 0,
        streamsFaulted: 1,
      });
    });

    it('cut and malformed also break non-streaming requests', async () => {
      mock.configure({ fault: 'cut' });
      await expect(
        client.chat.completions.create({ model: 'm', messages: MESSAGES }),
      ).rejects.toBeInstanceOf(APIConnectionError);

      mock.configure({ fault: 'malformed' });
      const malformed: unknown = await newClient({ logLevel: 'off' })
        .chat.completions.create({ model: 'm', messages: MESSAGES })
        .catch((caught: unknown) => caught);
      expectFailure(malformed, 'SyntaxError');
    });
  });

  describe('options carried by a request', () => {
    const carrying = (options: Partial<MockOptions>) => [
      { role: 'system' as const, content: `${REQUEST_OPTIONS_PREFIX}${JSON.stringify(options)}` },
      ...MESSAGES,
    ];

    it('streams its own reply while a request without options gets the configured one', async () => {
      const reply = 'Its own 日本語 reply 🙂';
      const [ownStream, plainStream] = await Promise.all([
        client.chat.completions.create({
          model: 'm',
          messages: carrying({ reply, chunks: 3 }),
          stream: true,
        }),
        openStream(),
      ]);
      const [owned, plain] = await Promise.all([drain(ownStream), drain(plainStream)]);

      expect(contentOf(owned.chunks)).toEqual(splitIntoChunks(reply, 3));
      expect(contentOf(plain.chunks).join('')).toBe(DEFAULT_REPLY);
    });

    it('takes its own fault alone, counted, leaving the configured fault budget untouched', async () => {
      mock.configure({ fault: 'status', faultStatus: 429, faultCount: 1 });

      const stream = await client.chat.completions.create({
        model: 'm',
        messages: carrying({ fault: 'cut', cutAfterChunks: 1 }),
        stream: true,
      });
      const { chunks, error } = await drain(stream);
      expectFailure(error);
      expect(contentOf(chunks)).toHaveLength(1);
      expect(mock.stats().faultsInjected).toBe(1);

      await expect(openStream()).rejects.toBeInstanceOf(RateLimitError);
      expect(mock.stats().faultsInjected).toBe(2);
    });

    it('answers a 400 in OpenAI shape for an option a request cannot set', async () => {
      const error: unknown = await client.chat.completions
        .create({ model: 'm', messages: carrying({ faultCount: 1 }), stream: true })
        .catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(BadRequestError);
      expect(error).toMatchObject({ status: 400, param: 'messages' });
      expect(mock.stats()).toMatchObject({ requests: 1, streamsStarted: 0, faultsInjected: 0 });
    });
  });

  describe('Azure OpenAI paths', () => {
    const AZURE_CHAT_PATH = '/openai/deployments/gpt4o-eu/chat/completions?api-version=2024-10-21';

    const newAzureClient = (options: AzureClientOptions = {}): AzureOpenAI =>
      new AzureOpenAI({
        endpoint: mock.origin,
        apiKey: 'azure-key',
        apiVersion: '2024-10-21',
        deployment: 'gpt4o-eu',
        maxRetries: 0,
        ...options,
      });

    const azureStream = (azure: AzureOpenAI): Promise<Stream<ChatCompletionChunk>> =>
      azure.chat.completions.create({
        model: 'gpt-4o',
        messages: MESSAGES,
        stream: true,
        stream_options: { include_usage: true },
      });

    it('streams a chat completion to an AzureOpenAI client, recording the path and api-key it used', async () => {
      const { chunks, error } = await drain(await azureStream(newAzureClient()));

      expect(error).toBeUndefined();
      expect(contentOf(chunks).join('')).toBe(DEFAULT_REPLY);
      expect(chunks.at(-1)?.usage).toMatchObject({ completion_tokens: 20 });
      const stats = mock.stats();
      expect(stats).toMatchObject({ requests: 1, streamsStarted: 1, streamsCompleted: 1 });
      expect(stats.lastRequest).toMatchObject({
        path: AZURE_CHAT_PATH,
        apiKey: 'azure-key',
        authorization: undefined,
      });
      expect(stats.lastRequest?.body).toMatchObject({ model: 'gpt-4o', stream: true });
    });

    it('serves the deployment the SDK takes from the model when the client names none', async () => {
      const azure = newAzureClient({ deployment: undefined });

      const completion = await azure.chat.completions.create({
        model: 'gpt-4o',
        messages: MESSAGES,
      });

      expect(completion.choices[0].message.content).toBe(DEFAULT_REPLY);
      expect(mock.stats().lastRequest?.path).toBe(
        '/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21',
      );
    });

    it('takes the model from the deployment when the body has none, as Azure does', async () => {
      const response = await postJson(`${mock.origin}${AZURE_CHAT_PATH}`, { messages: MESSAGES });

      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ object: 'chat.completion', model: 'gpt4o-eu' });
      expect(mock.stats().lastRequest?.body.model).toBeUndefined();
    });

    it.each(['chat/completions', 'embeddings'])(
      'answers a %s request on a deployment path without api-version with a 404 in OpenAI shape',
      async (operation) => {
        for (const query of ['', '?api-version=']) {
          const response = await postJson(
            `${mock.origin}/openai/deployments/gpt4o-eu/${operation}${query}`,
            { model: 'gpt-4o', messages: MESSAGES, input: 'x' },
          );

          expect(response.status).toBe(404);
          expect(await response.json()).toEqual({
            error: {
              message: 'Resource not found',
              type: 'invalid_request_error',
              param: null,
              code: '404',
            },
          });
        }
        expect(mock.stats().requests).toBe(0);
      },
    );

    it('accepts the key from the api-key header as well as from Authorization', async () => {
      mock.configure({ requireApiKey: 'sk-right' });

      await expect(azureStream(newAzureClient())).rejects.toBeInstanceOf(AuthenticationError);
      const { error } = await drain(await azureStream(newAzureClient({ apiKey: 'sk-right' })));
      expect(error).toBeUndefined();
      await expect(newClient({ apiKey: 'sk-right' }).models.list()).resolves.toBeDefined();
      const models = await rawFetch(`${mock.url}/models`, { headers: { 'api-key': 'sk-right' } });
      expect(models.status).toBe(200);
      expect(mock.stats()).toMatchObject({ requests: 2, streamsCompleted: 1 });
    });

    it('injects the configured faults on the Azure path too', async () => {
      mock.configure({
        fault: 'status',
        faultStatus: 429,
        faultRetryAfterSeconds: 3,
        faultCount: 1,
      });
      const azure = newAzureClient();

      const error: unknown = await azureStream(azure).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RateLimitError);
      expect(error instanceof RateLimitError && error.headers.get('retry-after')).toBe('3');
      const { chunks } = await drain(await azureStream(azure));

      expect(contentOf(chunks).join('')).toBe(DEFAULT_REPLY);
      expect(mock.stats()).toMatchObject({ requests: 2, faultsInjected: 1, streamsCompleted: 1 });
    });

    it('answers other operations under a deployment, and GETs, as unknown routes', async () => {
      const completions = await postJson(
        `${mock.origin}/openai/deployments/gpt4o-eu/completions?api-version=2024-10-21`,
        { model: 'gpt-4o', prompt: 'x' },
      );
      const get = await rawFetch(`${mock.origin}${AZURE_CHAT_PATH}`);

      expect(completions.status).toBe(404);
      expect(await completions.json()).toMatchObject({
        error: { message: 'Invalid URL (POST /openai/deployments/gpt4o-eu/completions)' },
      });
      expect(get.status).toBe(404);
    });
  });

  describe('client disconnects', () => {
    it('counts an AbortController abort mid-stream as streamsAborted and stops writing', async () => {
      await startWith({ chunkDelayMs: 40 });
      const controller = new AbortController();
      const stream = await openStream({}, controller.signal);

      const { chunks, error } = await drain(stream, (chunk) => {
        if (chunk.choices[0]?.delta.content) controller.abort();
      });

      // openai 6 ends a `for await` silently on abort, so the signal is the proof it was aborted.
      expect(error).toBeUndefined();
      expect(controller.signal.aborted).toBe(true);
      expect(contentOf(chunks)).toHaveLength(1);
      const stats = await mock.waitFor((current) => current.streamsAborted === 1, 2000);
      expect(stats).toMatchObject({ streamsStarted: 1, streamsCompleted: 0, streamsAborted: 1 });
      // The mock's timers are stopped: no chunk is written after the abort.
      await sleep(150);
      expect(mock.stats().chunksSent).toBe(stats.chunksSent);
      expect(stats.chunksSent).toBeLessThan(20);
    });

    it('counts an abort during firstTokenDelayMs', async () => {
      await startWith({ firstTokenDelayMs: 10_000 });
      const controller = new AbortController();
      await openStream({}, controller.signal);

      controller.abort();

      const stats = await mock.waitFor((current) => current.streamsAborted === 1, 2000);
      expect(stats.chunksSent).toBe(0);
    });

    it('close() ends streams in flight and the SDK iteration fails', async () => {
      mock.configure({ firstTokenDelayMs: 10_000 });
      const stream = await openStream();
      const reading = drain(stream);

      await withTimeout(mock.close(), 1000, () => undefined);

      const { error } = await reading;
      expectFailure(error);
    });
  });

  describe('control', () => {
    it('reset() restores the start options and zeroes the counters', async () => {
      await startWith({ chunks: 3, chunkDelayMs: 0 });
      mock.configure({ reply: 'changed', chunks: 1, fault: 'status', faultCount: 1 });
      await openStream().catch(() => undefined);
      await drain(await openStream());
      expect(mock.stats().requests).toBe(2);

      mock.reset();

      expect(mock.options()).toMatchObject({ reply: DEFAULT_REPLY, chunks: 3, fault: 'none' });
      const zero: Partial<MockStats> = {
        requests: 0,
        streamsStarted: 0,
        streamsCompleted: 0,
        streamsAborted: 0,
        streamsFaulted: 0,
        chunksSent: 0,
        faultsInjected: 0,
        lastRequest: undefined,
        recentRequests: [],
      };
      expect(mock.stats()).toEqual(zero);
    });

    it('configure() rejects invalid values', () => {
      expect(() => mock.configure({ chunks: 0 })).toThrow(/chunks/);
    });

    it('waitFor() rejects after its timeout with the current stats in the message', async () => {
      await expect(mock.waitFor((stats) => stats.requests > 0, 50)).rejects.toThrow(
        /within 50 ms; stats: \{"requests":0,/,
      );
    });

    it('waitFor() resolves at once when the predicate already holds', async () => {
      await expect(mock.waitFor((stats) => stats.requests === 0)).resolves.toMatchObject({
        requests: 0,
      });
    });

    it('is steerable over HTTP: /__mock/config, /__mock/stats, /__mock/reset', async () => {
      const origin = mock.url.replace(/\/v1$/, '');

      const configured = await postJson(`${origin}/__mock/config`, { reply: 'hi 🙂', chunks: 2 });
      expect(configured.status).toBe(200);
      expect(await configured.json()).toMatchObject({
        reply: 'hi 🙂',
        chunks: 2,
        faultCount: null,
      });
      const { chunks } = await drain(await openStream());
      expect(contentOf(chunks)).toEqual(['hi', ' 🙂']);

      const stats = await rawFetch(`${origin}/__mock/stats`);
      expect(await stats.json()).toMatchObject({ requests: 1, streamsCompleted: 1 });

      const invalid = await postJson(`${origin}/__mock/config`, { chunks: 0 });
      expect(invalid.status).toBe(400);
      expect(await invalid.json()).toEqual({ error: expect.stringMatching(/chunks/) });
      const unknown = await postJson(`${origin}/__mock/config`, { chunkz: 2 });
      expect(unknown.status).toBe(400);

      const reset = await postJson(`${origin}/__mock/reset`, {});
      expect(await reset.json()).toMatchObject({ reply: DEFAULT_REPLY, chunks: 20 });
      expect(mock.stats().requests).toBe(0);
    });

    it('answers unknown routes with a 404 in OpenAI shape', async () => {
      const response = await rawFetch(`${mock.url}/nope`);

      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        error: {
          message: 'Invalid URL (GET /v1/nope)',
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      });
    });
  });
});
