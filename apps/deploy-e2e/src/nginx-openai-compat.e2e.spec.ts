import { startApi, waitForLog, writeKeysFile, type ApiProcess } from '@tokenstream/e2e-support';
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { locationDirectives, nginxSeconds } from './support/nginx-directives';
import {
  NGINX_TEMPLATE,
  SITE_READ_TIMEOUT_S,
  startAuthService,
  startNginx,
  type AuthService,
  type NginxProcess,
} from './support/processes';

// Services call the OpenAI-compatible /v1 routes with API keys, through the same nginx as people
// in a browser: the built api in AUTH_MODE=proxy,apikey (as deployed for both), trusting only
// loopback, behind a real nginx running deploy/nginx/tokenstream.conf.template, with a stand-in
// for oauth2-proxy that knows one browser session.
const TOKEN_DELAY_MS = 50;
const KEY = 'tsk_reporting_0123456789abcdef';
/** The demo model's id, the only one the api offers without an upstream. */
const MODEL = 'demo';
/** The api's default UPSTREAM_TOTAL_TIMEOUT_MS: the longest a whole reply may take. */
const UPSTREAM_TOTAL_TIMEOUT_MS = 600_000;
const ALICE = { cookie: 'session=alice' };
const hi: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hi' }];

/** Everything a client could forge to pass for someone else. */
const FORGED = {
  'x-auth-request-user': 'admin',
  'x-auth-request-email': 'admin@example.com',
  'x-forwarded-user': 'admin',
  'x-forwarded-email': 'admin@example.com',
};

let api: ApiProcess;
let auth: AuthService;
let nginx: NginxProcess;

beforeAll(async () => {
  auth = await startAuthService({ alice: { user: 'alice', email: 'alice@example.com' } });
  api = await startApi({
    AUTH_MODE: 'proxy,apikey',
    TRUSTED_PROXY_CIDRS: '127.0.0.1/32,::1/128',
    API_KEYS_FILE: writeKeysFile([{ name: 'reporting', key: KEY }]),
    DEMO_TOKEN_DELAY_MS: String(TOKEN_DELAY_MS),
  });
  nginx = await startNginx({ api: new URL(api.url).host, auth: auth.address });
}, 40_000);

afterAll(async () => {
  await Promise.all([nginx?.stop(), api?.stop(), auth?.stop()]);
});

/** The official SDK pointed at nginx, as a service would be; no retries, so a failure shows. */
function sdk(apiKey = KEY): OpenAI {
  return new OpenAI({ apiKey, baseURL: `${nginx.url}/v1`, maxRetries: 0, timeout: 15_000 });
}

/** Races `promise` against a timeout whose message says what was awaited and what had come. */
function within<T>(promise: Promise<T>, what: () => string, ms = 15_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what()}: no end after ${ms} ms\n${nginx.errorLog()}`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('a service with an API key, through nginx', () => {
  it('lists the models with GET /v1/models, without a call to the SSO auth service', async () => {
    const checksBefore = auth.requests.length;
    const models = await within(sdk().models.list(), () => 'GET /v1/models');
    expect(models.data.map(({ id }) => id)).toEqual([MODEL]);
    expect(auth.requests.length).toBe(checksBefore);
  });

  it('gets a streamed completion chunk by chunk as the model writes it, uncompressed', async () => {
    const { data: stream, response } = await sdk()
      .chat.completions.create(
        { model: MODEL, messages: hi, stream: true, max_tokens: 20 },
        // gzip is on for text/event-stream in the http block (as on many sites); /v1/ opts out.
        { headers: { 'accept-encoding': 'gzip' } },
      )
      .withResponse();
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('content-encoding')).toBeNull();

    const started = Date.now();
    const arrived: number[] = [];
    let finishReason: string | null = null;
    await within(
      (async () => {
        for await (const chunk of stream) {
          if (chunk.choices[0]?.delta.content) arrived.push(Date.now() - started);
          finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
        }
      })(),
      () => `the stream (content chunks at ${arrived.join(', ')} ms)`,
    );
    expect(arrived).toHaveLength(20);
    expect(finishReason).toBe('length');
    expect(arrived[arrived.length - 1] - arrived[0]).toBeGreaterThan(500);
    // Spread out: many chunks each came well after the one before (a buffered reply comes at once).
    const spacedOut = arrived.filter((at, i) => i > 0 && at - arrived[i - 1] >= TOKEN_DELAY_MS / 3);
    expect(spacedOut.length).toBeGreaterThanOrEqual(8);
  });

  it('gets a whole completion that took longer than the read timeout other locations have', async () => {
    const started = Date.now();
    // 60 tokens at 50 ms: about 3 s with nothing sent until the end, past the http block's 2 s.
    const completion = await within(
      sdk().chat.completions.create({ model: MODEL, messages: hi, max_tokens: 60 }),
      () => 'the whole completion',
    );
    expect(Date.now() - started).toBeGreaterThan(SITE_READ_TIMEOUT_S * 1_000);
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0].finish_reason).toBe('length');
    expect(completion.usage?.completion_tokens).toBe(60);
  });

  it.each(['proxy_read_timeout', 'proxy_send_timeout'])(
    "sets /v1/'s %s longer than the api's longest reply (UPSTREAM_TOTAL_TIMEOUT_MS)",
    (name) => {
      const directives = locationDirectives(readFileSync(NGINX_TEMPLATE, 'utf8'), '/v1/');
      // Unset, the location would have nginx's default: 60 s.
      const seconds = nginxSeconds(directives.get(name) ?? '60s');
      expect(seconds * 1_000).toBeGreaterThan(UPSTREAM_TOTAL_TIMEOUT_MS);
    },
  );

  it("is the key's principal to the api, whatever identity headers it forges", async () => {
    const requestId = 'forged-headers-with-a-key';
    await within(
      sdk().chat.completions.create(
        { model: MODEL, messages: hi, max_tokens: 2 },
        { headers: { ...FORGED, 'x-request-id': requestId } },
      ),
      () => 'the completion',
    );
    const summary = await waitForLog(
      api,
      (line) => line.msg === 'stream ended' && line['requestId'] === requestId,
    );
    expect(summary['principal']).toBe('apikey:reporting');
  });
});

describe('without a valid API key, through nginx', () => {
  const refusals: [string, Record<string, string>][] = [
    ['no credentials', {}],
    ['an unknown bearer key', { authorization: 'Bearer tsk_made_up_0123456789' }],
    ['an unknown X-API-Key', { 'x-api-key': 'tsk_made_up_0123456789' }],
    ["a browser's SSO session: /v1 takes keys", ALICE],
    ['forged identity headers', FORGED],
  ];

  it.each(refusals)(
    "answers %s with OpenAI's 401 JSON, never a redirect or a page",
    async (_, headers) => {
      for (const request of [
        { path: '/v1/models', init: { method: 'GET' } },
        {
          path: '/v1/chat/completions',
          init: { method: 'POST', body: JSON.stringify({ model: MODEL, messages: hi }) },
        },
      ]) {
        const response = await fetch(new URL(request.path, nginx.url), {
          ...request.init,
          headers: { 'content-type': 'application/json', accept: 'text/html', ...headers },
          redirect: 'manual',
          signal: AbortSignal.timeout(10_000),
        });
        const body = await response.text();
        expect(`${request.path} ${response.status} ${body}`).toMatch(/^\S+ 401 \{/);
        expect(response.headers.get('location')).toBeNull();
        expect(response.headers.get('content-type')).toMatch(/^application\/json/);
        expect(JSON.parse(body)).toEqual({
          error: {
            message: expect.any(String),
            type: 'invalid_request_error',
            param: null,
            code: 'invalid_api_key',
          },
        });
      }
    },
  );

  it('makes the SDK throw its AuthenticationError', async () => {
    const error = await sdk('tsk_made_up_0123456789')
      .models.list()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error).toMatchObject({ status: 401, error: { code: 'invalid_api_key' } });
  });
});

describe('a body over client_max_body_size (1m), through nginx', () => {
  it("is refused with 413 in OpenAI's error shape, as the api refuses one", async () => {
    const response = await fetch(new URL('/v1/chat/completions', nginx.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: MODEL,
        messages: [{ role: 'user', content: 'x'.repeat(1_100_000) }],
      }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      error: {
        message: expect.any(String),
        type: 'invalid_request_error',
        param: null,
        code: 'request_too_large',
      },
    });
  });
});
