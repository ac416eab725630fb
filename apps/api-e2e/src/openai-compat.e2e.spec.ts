import { writeKeysFile } from '@tokenstream/e2e-support';
import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { useApiUnderTest } from './support/api-under-test';

const REPLY = 'Compatible: naïve café, 日本語, and a 🙂, streamed through tokenstream.';
const KEYS = { billing: 'tsk_billing_0123456789abcdef', search: 'tsk_search_0123456789abcdef' };
const hi: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hi' }];

function keysFile(): string {
  return writeKeysFile([
    { name: 'billing', key: KEYS.billing, models: ['gpt-4o-mini'] },
    { name: 'search', key: KEYS.search },
  ]);
}

/** Resolves once `check` holds, or fails with what it last saw. */
async function eventually<T>(read: () => T, check: (value: T) => boolean, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check(read())) {
    if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(read())}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Races `promise` against a timeout whose message says what was awaited. */
function within<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('the OpenAI-compatible API, called with the official openai SDK', () => {
  const app = useApiUnderTest({
    upstream: { reply: REPLY, chunks: 10, chunkDelayMs: 30 },
    env: { AUTH_MODE: 'apikey', API_KEYS_FILE: keysFile(), CHAT_MODELS: 'gpt-4o-mini,gpt-4o' },
  });
  let client: OpenAI;

  beforeAll(() => {
    client = new OpenAI({ apiKey: KEYS.search, baseURL: `${app.url}/v1`, maxRetries: 0 });
  });

  it('streams the reply as chat.completion.chunk events', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: hi,
      stream: true,
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    await within(
      (async () => {
        for await (const chunk of stream) chunks.push(chunk);
      })(),
      'stream',
    );
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(REPLY);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe('stop');
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(chunks[0].model).toBe('gpt-4o-mini');
  });

  it('answers a whole chat.completion with usage when not streaming', async () => {
    const completion = await within(
      client.chat.completions.create({ model: 'gpt-4o', messages: hi, max_tokens: 50 }),
      'completion',
    );
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('gpt-4o');
    expect(completion.choices[0].message).toMatchObject({ role: 'assistant', content: REPLY });
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.usage).toEqual({
      prompt_tokens: expect.any(Number),
      completion_tokens: expect.any(Number),
      total_tokens: expect.any(Number),
    });
    expect(completion.usage!.total_tokens).toBeGreaterThan(0);
    expect(app.upstream.stats().lastRequest?.body).toMatchObject({
      model: 'gpt-4o',
      max_tokens: 50,
    });
  });

  it('answers a whole completion exactly as the upstream answers it, empty fields included', async () => {
    const ask = (caller: OpenAI) =>
      within(
        caller.chat.completions.create({ model: 'gpt-4o', messages: hi, logprobs: true }),
        'completion',
      );
    const upstream = new OpenAI({ apiKey: 'sk-test', baseURL: app.upstream.url, maxRetries: 0 });
    const [ours, theirs] = [await ask(client), await ask(upstream)];
    // Each answer is a reply of its own: only its id and its start differ.
    const { id: _ours, created: _oursAt, ...through } = ours;
    const { id: _theirs, created: _theirsAt, ...direct } = theirs;
    expect(through).toEqual(direct);
    expect(through.choices[0].message).toMatchObject({ annotations: [], refusal: null });
  });

  it('ends with a usage chunk whose choices are empty when include_usage is asked for', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: hi,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    await within(
      (async () => {
        for await (const chunk of stream) chunks.push(chunk);
      })(),
      'stream',
    );
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({
      prompt_tokens: expect.any(Number),
      completion_tokens: expect.any(Number),
      total_tokens: expect.any(Number),
    });
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
  });

  it('aborts the upstream request when the caller aborts its stream', async () => {
    const abort = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'gpt-4o-mini', messages: hi, stream: true },
      { signal: abort.signal },
    );
    let contentChunks = 0;
    // The SDK ends its `for await` quietly once its signal is aborted.
    await within(
      (async () => {
        for await (const chunk of stream) {
          if (chunk.choices[0]?.delta.content) contentChunks += 1;
          if (contentChunks === 2) abort.abort();
        }
      })(),
      'aborted stream',
    );
    expect(contentChunks).toBe(2);
    await eventually(
      () => app.upstream.stats().streamsAborted,
      (aborted) => aborted === 1,
    );
    expect(app.upstream.stats().streamsCompleted).toBe(0);
  });

  it('refuses an invalid key with 401 in OpenAI’s error shape', async () => {
    const bad = new OpenAI({ apiKey: 'tsk_made_up', baseURL: `${app.url}/v1`, maxRetries: 0 });
    const error = await bad.models.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error).toMatchObject({
      status: 401,
      error: { type: 'invalid_request_error', code: 'invalid_api_key', param: null },
    });
    const raw = await fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer tsk_made_up', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: hi }),
    });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual({
      error: {
        message: expect.any(String),
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    });
  });

  it('answers an unknown model with 404 model_not_found, as OpenAI does', async () => {
    const error = await client.chat.completions
      .create({ model: 'gpt-9', messages: hi })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error).toMatchObject({
      status: 404,
      error: { code: 'model_not_found', param: 'model' },
    });
  });

  it('refuses a model the key may not use with 403', async () => {
    const billing = new OpenAI({ apiKey: KEYS.billing, baseURL: `${app.url}/v1`, maxRetries: 0 });
    const error = await billing.chat.completions
      .create({ model: 'gpt-4o', messages: hi, stream: true })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(error).toMatchObject({ status: 403, error: { code: 'model_not_allowed' } });
    expect(app.upstream.stats().requests).toBe(0);
  });

  it('refuses a bad parameter it checks with 400 naming it, and asks the upstream nothing', async () => {
    const error = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: hi, max_tokens: 0 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({
      status: 400,
      error: { type: 'invalid_request_error', param: 'max_tokens', code: 'invalid_value' },
    });
    expect(app.upstream.stats().requests).toBe(0);
  });

  describe('every parameter passes through, and every field of the reply comes back', () => {
    it('runs a two-step tool call with the SDK’s runTools', async () => {
      app.upstream.configure({ toolCallArguments: '{"city":"Oslo"}' });
      const calls: unknown[] = [];
      const runner = client.chat.completions.runTools({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Weather in Oslo?' }],
        tools: [
          {
            type: 'function',
            function: {
              name: 'weather',
              description: 'The weather in a city today.',
              parameters: { type: 'object', properties: { city: { type: 'string' } } },
              parse: JSON.parse,
              function: (args: { city: string }) => {
                calls.push(args);
                return `sunny in ${args.city}`;
              },
            },
          },
        ],
      });
      expect(await within(runner.finalContent(), 'runTools')).toBe(
        'The tool answered: sunny in Oslo',
      );
      expect(calls).toEqual([{ city: 'Oslo' }]);
      // The second request carried the call and its result back, as the SDK sent them.
      const { body } = app.upstream.stats().lastRequest!;
      expect(body['messages']).toMatchObject([
        { role: 'user' },
        { role: 'assistant', tool_calls: [{ function: { name: 'weather' } }] },
        { role: 'tool', content: 'sunny in Oslo' },
      ]);
    });

    it('streams tool-call pieces that the SDK joins, finishing with tool_calls', async () => {
      app.upstream.configure({ toolCallArguments: '{"city":"Bergen","days":3}', chunks: 6 });
      const stream = client.chat.completions.stream({
        model: 'gpt-4o-mini',
        messages: hi,
        tools: [{ type: 'function', function: { name: 'forecast', parameters: {} } }],
        tool_choice: 'required',
        parallel_tool_calls: false,
      });
      const completion = await within(stream.finalChatCompletion(), 'stream');
      expect(completion.choices[0].finish_reason).toBe('tool_calls');
      expect(completion.choices[0].message.tool_calls).toEqual([
        expect.objectContaining({
          type: 'function',
          function: { name: 'forecast', arguments: '{"city":"Bergen","days":3}' },
        }),
      ]);
      expect(app.upstream.stats().lastRequest!.body).toMatchObject({
        tool_choice: 'required',
        parallel_tool_calls: false,
      });
    });

    it('gets typed output from parse with a zod response format', async () => {
      const Weather = z.object({ city: z.string(), celsius: z.number() });
      app.upstream.configure({ reply: JSON.stringify({ city: 'Oslo', celsius: -3 }) });
      const completion = await within(
        client.chat.completions.parse({
          model: 'gpt-4o-mini',
          messages: hi,
          response_format: zodResponseFormat(Weather, 'weather'),
        }),
        'parse',
      );
      expect(completion.choices[0].message.parsed).toEqual({ city: 'Oslo', celsius: -3 });
      expect(app.upstream.stats().lastRequest!.body['response_format']).toMatchObject({
        type: 'json_schema',
        json_schema: { name: 'weather', strict: true },
      });
    });

    it('sends sampling parameters and one it does not know unchanged, and returns logprobs and reasoning intact', async () => {
      app.upstream.configure({ reasoning: 'Thinking it over.', chunks: 5 });
      const sent = {
        stop: ['\n\n'],
        seed: 7,
        top_p: 0.9,
        frequency_penalty: 0.5,
        presence_penalty: -0.5,
        logprobs: true,
        top_logprobs: 2,
        logit_bias: { '50256': -100 },
        reasoning_effort: 'low' as const,
        metadata: { team: 'search' },
        user: 'svc-7',
        a_parameter_openai_adds_next_year: { deep: [1, { x: true }] },
      };
      const completion = await within(
        client.chat.completions.create({ model: 'gpt-4o-mini', messages: hi, ...sent }),
        'completion',
      );
      expect(app.upstream.stats().lastRequest!.body).toMatchObject({
        ...sent,
        model: 'gpt-4o-mini',
      });
      const choice = completion.choices[0];
      expect(choice.message.content).toBe(REPLY);
      expect((choice.message as { reasoning_content?: string }).reasoning_content).toBe(
        'Thinking it over.',
      );
      expect(choice.logprobs?.content?.map((entry) => entry.token).join('')).toBe(REPLY);

      // Streamed, the same fields arrive chunk by chunk.
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: hi,
        stream: true,
        ...sent,
      });
      for await (const chunk of stream) chunks.push(chunk);
      const deltas = chunks.map((chunk) => chunk.choices[0]?.delta ?? {});
      const reasoning = deltas.map(
        (delta) => (delta as { reasoning_content?: string }).reasoning_content ?? '',
      );
      expect(reasoning.join('')).toBe('Thinking it over.');
      expect(deltas.map((delta) => delta.content ?? '').join('')).toBe(REPLY);
      expect(chunks.every((chunk) => chunk.system_fingerprint === 'fp_mock_openai')).toBe(true);
    });

    it('streams a refusal as the model sent it', async () => {
      app.upstream.configure({ refusal: 'I can’t help with that.' });
      const completion = await within(
        client.chat.completions
          .stream({ model: 'gpt-4o-mini', messages: hi })
          .finalChatCompletion(),
        'stream',
      );
      expect(completion.choices[0].message).toMatchObject({
        refusal: 'I can’t help with that.',
        content: null,
      });
    });
  });

  it('lists only the models the key may use', async () => {
    const billing = new OpenAI({ apiKey: KEYS.billing, baseURL: `${app.url}/v1`, maxRetries: 0 });
    const own = [];
    for await (const model of billing.models.list()) own.push(model);
    expect(own).toEqual([
      { id: 'gpt-4o-mini', object: 'model', created: 0, owned_by: 'tokenstream' },
    ]);
    const all = [];
    for await (const model of client.models.list()) all.push(model.id);
    expect(all).toEqual(['gpt-4o-mini', 'gpt-4o']);
  });

  describe('bodies the SDK cannot send, and paths no route serves', () => {
    /** A raw `POST /v1/chat/completions` with a valid key: the SDK always sends good JSON. */
    const postRaw = (body: string) =>
      fetch(`${app.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEYS.search}`, 'content-type': 'application/json' },
        body,
      });

    /** OpenAI's error body of a `4xx` refusal, with this `code`. */
    const openAiError = (code: string | null) => ({
      error: { message: expect.any(String), type: 'invalid_request_error', param: null, code },
    });

    it('refuses a body that is not JSON with 400 in OpenAI’s shape, and asks the upstream nothing', async () => {
      const response = await postRaw('{"model": "gpt-4o-mini", "messages": [');
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { message: string } };
      expect(body).toEqual(openAiError('invalid_json'));
      expect(body.error.message).toMatch(/^The request body is not valid JSON: .+/);
      expect(app.upstream.stats().requests).toBe(0);
    });

    it('refuses a body over 1 MB with 413 in OpenAI’s shape', async () => {
      const huge = 'x'.repeat(1024 * 1024);
      const response = await postRaw(
        JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: huge }] }),
      );
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual(openAiError('request_too_large'));
      expect(app.upstream.stats().requests).toBe(0);
    });

    it('answers a path under /v1 that no route serves with 404 in OpenAI’s shape', async () => {
      const raw = await fetch(`${app.url}/v1/nope`, {
        headers: { authorization: `Bearer ${KEYS.search}` },
      });
      expect(raw.status).toBe(404);
      expect(await raw.json()).toEqual(openAiError(null));
      // The SDK reads it as a NotFoundError with the message, as it would from OpenAI.
      const error = await client.get('/nope').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
      expect(error).toMatchObject({ status: 404, message: expect.stringContaining('/v1/nope') });
    });
  });
});
