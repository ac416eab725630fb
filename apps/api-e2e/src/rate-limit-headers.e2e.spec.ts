import { waitForLog, writeKeysFile } from '@tokenstream/e2e-support';
import OpenAI from 'openai';
import { useApiUnderTest } from './support/api-under-test';

/** `paced` has limits of its own; `unmetered` turns both off; `daily` keeps only the day's tokens. */
const KEYS = {
  paced: 'tsk_paced_0123456789abcdef',
  unmetered: 'tsk_unmetered_0123456789abcdef',
  daily: 'tsk_daily_0123456789abcdef',
  defaulted: 'tsk_defaulted_0123456789abcdef',
};
const PACED = { requestsPerMinute: 3, tokensPerDay: 1_000 };
const hi: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hi' }];
const STREAM_ID_HEADER = 'x-stream-id';

const TOKENS_TRIO = [
  'x-ratelimit-limit-tokens',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-reset-tokens',
];

/** OpenAI's duration form (`20ms`, `59s`, `1m0s`, `6h12m3s`) in ms; fails on anything else. */
function durationMs(text: string | null): number {
  const parts = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)(ms|s))$/.exec(text ?? '');
  if (!parts) throw new Error(`not an OpenAI duration: ${text}`);
  const [, hours = '0', minutes = '0', amount, unit] = parts;
  const rest = unit === 'ms' ? Number(amount) : Number(amount) * 1_000;
  return (Number(hours) * 60 + Number(minutes)) * 60_000 + rest;
}

/** The `x-ratelimit-*` headers of a response, by name. */
function rateLimitHeaders(headers: Headers): Record<string, string> {
  const found: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name.startsWith('x-ratelimit-')) found[name] = value;
  });
  return found;
}

/** Milliseconds from now until the next midnight UTC. */
const untilMidnight = () => new Date().setUTCHours(24, 0, 0, 0) - Date.now();

describe("OpenAI's x-ratelimit-* headers on /v1, from the caller's own limits", () => {
  const app = useApiUnderTest({
    upstream: { reply: 'Hello from the fake upstream.', chunks: 4, chunkDelayMs: 5 },
    env: {
      AUTH_MODE: 'apikey',
      API_KEYS_FILE: writeKeysFile([
        { name: 'paced', key: KEYS.paced, limits: PACED },
        {
          name: 'unmetered',
          key: KEYS.unmetered,
          limits: { requestsPerMinute: 0, tokensPerDay: 0 },
        },
        { name: 'daily', key: KEYS.daily, limits: { requestsPerMinute: 0 } },
        { name: 'defaulted', key: KEYS.defaulted },
      ]),
      EMBEDDING_MODELS: 'text-embedding-3-small',
      LIMIT_REQUESTS_PER_MINUTE: '100',
      LIMIT_TOKENS_PER_DAY: '50000',
    },
  });
  const client = (key: keyof typeof KEYS) =>
    new OpenAI({ apiKey: KEYS[key], baseURL: `${app.url}/v1`, maxRetries: 0 });

  /** Resolves once the api has counted the tokens of the stream `response` named. */
  async function counted(response: Response): Promise<void> {
    const streamId = response.headers.get(STREAM_ID_HEADER);
    await waitForLog(app.api, (line) => line.msg === 'stream ended' && line.streamId === streamId);
  }

  it('counts down a key’s own limits over a reply, a streamed reply, embeddings, then says none are left on the 429', async () => {
    const paced = client('paced');

    // A whole completion: the first request of the minute, none of the day's tokens used yet.
    const whole = await paced.chat.completions
      .create({ model: 'gpt-4o-mini', messages: hi })
      .withResponse();
    const first = rateLimitHeaders(whole.response.headers);
    expect(first).toMatchObject({
      'x-ratelimit-limit-requests': '3',
      'x-ratelimit-remaining-requests': '2',
      // The only request in the window leaves it a full minute from now.
      'x-ratelimit-reset-requests': '1m0s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '1000',
    });
    expect(Math.abs(durationMs(first['x-ratelimit-reset-tokens']) - untilMidnight())).toBeLessThan(
      5_000,
    );
    await counted(whole.response);
    const used = whole.data.usage?.total_tokens ?? 0;
    expect(used).toBeGreaterThan(0);

    // A streamed one: the headers come before the first chunk, with the first reply's tokens used.
    const streamed = await paced.chat.completions
      .create({ model: 'gpt-4o-mini', messages: hi, stream: true })
      .withResponse();
    const second = rateLimitHeaders(streamed.response.headers);
    expect(second).toMatchObject({
      'x-ratelimit-limit-requests': '3',
      'x-ratelimit-remaining-requests': '1',
      'x-ratelimit-remaining-tokens': String(1_000 - used),
    });
    // The first request, a moment older, is the one that leaves the window first.
    expect(durationMs(second['x-ratelimit-reset-requests'])).toBeLessThanOrEqual(60_000);
    expect(durationMs(second['x-ratelimit-reset-requests'])).toBeGreaterThan(45_000);
    let text = '';
    for await (const chunk of streamed.data) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello from the fake upstream.');
    await counted(streamed.response);

    // Embeddings are admitted by the same limits, and say so the same way.
    const embedded = await paced.embeddings
      .create({ model: 'text-embedding-3-small', input: 'naïve café' })
      .withResponse();
    expect(rateLimitHeaders(embedded.response.headers)).toMatchObject({
      'x-ratelimit-limit-requests': '3',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-limit-tokens': '1000',
    });
    expect(Number(embedded.response.headers.get('x-ratelimit-remaining-tokens'))).toBeLessThan(
      1_000 - used,
    );

    // The fourth request in the minute: refused, with nothing left and when that changes.
    const refusal = await paced.chat.completions
      .create({ model: 'gpt-4o-mini', messages: hi })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refusal).toBeInstanceOf(OpenAI.RateLimitError);
    const { headers, error } = refusal as InstanceType<typeof OpenAI.RateLimitError>;
    expect(error).toMatchObject({ code: 'rate_limit_exceeded' });
    const refused = rateLimitHeaders(headers);
    expect(refused).toMatchObject({
      'x-ratelimit-limit-requests': '3',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-limit-tokens': '1000',
    });
    const resetMs = durationMs(refused['x-ratelimit-reset-requests']);
    // Retry-After is the same wait in whole seconds.
    expect(Number(headers.get('retry-after'))).toBe(Math.max(1, Math.ceil(resetMs / 1_000)));
    expect(resetMs).toBeLessThanOrEqual(60_000);
    expect(Object.keys(refused)).toHaveLength(6);
  });

  it('sends no header for a limit that is off', async () => {
    const unmetered = await client('unmetered')
      .chat.completions.create({ model: 'gpt-4o-mini', messages: hi })
      .withResponse();
    expect(rateLimitHeaders(unmetered.response.headers)).toEqual({});

    const daily = await client('daily')
      .chat.completions.create({ model: 'gpt-4o-mini', messages: hi, stream: true })
      .withResponse();
    for await (const chunk of daily.data) void chunk;
    expect(Object.keys(rateLimitHeaders(daily.response.headers)).sort()).toEqual(
      [...TOKENS_TRIO].sort(),
    );
  });

  it('keeps them on an error answered after the request was admitted', async () => {
    // The upstream refuses tokenstream's own key: a 502 for the caller, its request counted.
    app.upstream.configure({ fault: 'status', faultStatus: 401 });
    const failure = await client('daily')
      .chat.completions.create({ model: 'gpt-4o-mini', messages: hi })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    const { status, headers } = failure as InstanceType<typeof OpenAI.APIError>;
    expect(status).toBe(502);
    expect(Object.keys(rateLimitHeaders(headers ?? new Headers())).sort()).toEqual(
      [...TOKENS_TRIO].sort(),
    );
  });

  it('takes a key without limits of its own from the settings', async () => {
    const { response } = await client('defaulted')
      .embeddings.create({ model: 'text-embedding-3-small', input: 'Hi' })
      .withResponse();
    expect(rateLimitHeaders(response.headers)).toMatchObject({
      'x-ratelimit-limit-requests': '100',
      'x-ratelimit-remaining-requests': '99',
      'x-ratelimit-limit-tokens': '50000',
    });
  });

  it('leaves GET /v1/models and the native routes without them', async () => {
    const { response } = await client('defaulted').models.list().withResponse();
    expect(response.status).toBe(200);
    expect(rateLimitHeaders(response.headers)).toEqual({});

    const native = await fetch(new URL('/api/chat/stream', app.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEYS.defaulted },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(native.status).toBe(200);
    expect(rateLimitHeaders(native.headers)).toEqual({});
    await native.body?.cancel();
  });
});

describe('x-ratelimit-* headers from limits shared through Redis (two instances)', () => {
  const app = useApiUnderTest({
    upstream: { reply: 'Shared.', chunks: 2, chunkDelayMs: 5 },
    redis: true,
    apis: 2,
    env: {
      AUTH_MODE: 'apikey',
      API_KEYS_FILE: writeKeysFile([{ name: 'paced', key: KEYS.paced, limits: PACED }]),
    },
  });

  it("counts a caller's requests on every instance in what each one says remains", async () => {
    const [here, there] = app.apis.map(
      (api) => new OpenAI({ apiKey: KEYS.paced, baseURL: `${api.url}/v1`, maxRetries: 0 }),
    );
    const ask = (client: OpenAI) =>
      client.chat.completions.create({ model: 'gpt-4o-mini', messages: hi }).withResponse();
    const first = rateLimitHeaders((await ask(here)).response.headers);
    const second = rateLimitHeaders((await ask(there)).response.headers);
    expect(first['x-ratelimit-remaining-requests']).toBe('2');
    expect(second['x-ratelimit-remaining-requests']).toBe('1');
    expect(durationMs(second['x-ratelimit-reset-requests'])).toBeLessThanOrEqual(60_000);
    // Redis's clock says when the day ends: this machine's, here.
    expect(Math.abs(durationMs(second['x-ratelimit-reset-tokens']) - untilMidnight())).toBeLessThan(
      5_000,
    );
  });
});
