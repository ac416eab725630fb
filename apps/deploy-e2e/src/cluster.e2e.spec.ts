import OpenAI from 'openai';
import {
  cuttingFetch,
  freePort,
  seededRandom,
  startApi,
  startRedis,
  type ApiProcess,
  type RedisServer,
} from '@tokenstream/e2e-support';
import { startMockOpenAi, type MockOpenAi } from '@tokenstream/mock-openai';
import { resumeChat, stopStream, streamChat, type ChatStream } from '@tokenstream/stream-client';
import {
  startAuthService,
  startNginx,
  type AuthService,
  type NginxProcess,
} from './support/processes';
import { readChat } from './support/read-chat';

// Three api instances share their streams through one Redis, behind a real nginx doing plain
// round robin (no stickiness), as deploy/README.md describes: any instance serves any stream.
const REPLY = Array.from({ length: 60 }, (_, i) => `wört${i} 日本🙂 `).join('');
const CHUNKS = 60;
const CHUNK_DELAY_MS = 50;
/** Short, so that an instance killed mid-reply is noticed within the test's patience. */
const LEASE_MS = 2_000;
const HEARTBEAT_MS = 500;
const ALICE_COOKIE = { cookie: 'session=alice' };
/** What nginx sends after asking the auth proxy; a test talking to one instance sends it itself. */
const ALICE_DIRECT = {
  'x-auth-request-user': 'alice',
  'x-auth-request-email': 'alice@example.com',
};
const request = { messages: [{ role: 'user' as const, content: 'Hi' }] };
const FAST_RESUME = { maxAttempts: 40, initialDelayMs: 20, maxDelayMs: 200 };

let redis: RedisServer;
let mock: MockOpenAi;
let auth: AuthService;
let nginx: NginxProcess;
const ports: number[] = [];
const apis: ApiProcess[] = [];

function apiEnv(port: number): Record<string, string> {
  return {
    PORT: String(port),
    REDIS_URL: redis.url,
    AUTH_MODE: 'proxy',
    TRUSTED_PROXY_CIDRS: '127.0.0.1/32,::1/128',
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: mock.url,
    CHAT_MODELS: 'gpt-4o-mini',
    STREAM_LEASE_MS: String(LEASE_MS),
    STREAM_RESUME_GRACE_MS: '10000',
    STREAM_DRAIN_MS: '12000',
    LIMIT_CONCURRENT_STREAMS: '50',
  };
}

/** Starts (or starts again) instance `i` on its own port, which nginx knows it by. */
async function startInstance(i: number): Promise<void> {
  apis[i] = await startApi(apiEnv(ports[i]));
}

beforeAll(async () => {
  redis = await startRedis();
  mock = await startMockOpenAi({ reply: REPLY, chunks: CHUNKS, chunkDelayMs: CHUNK_DELAY_MS });
  auth = await startAuthService({ alice: { user: 'alice', email: 'alice@example.com' } });
  for (let i = 0; i < 3; i++) ports.push(await freePort());
  await Promise.all([0, 1, 2].map(startInstance));
  nginx = await startNginx({ api: ports.map((port) => `127.0.0.1:${port}`), auth: auth.address });
}, 90_000);

afterAll(async () => {
  await nginx?.stop();
  await Promise.all(apis.map((api) => api?.stop()));
  await Promise.all([auth?.stop(), mock?.close()]);
  await redis?.stop();
});

beforeEach(() => mock.reset());

/** How many requests for `path` each instance logged since `since` (their index in the logs). */
function servedBy(path: RegExp, since: number[]): number[] {
  return apis.map(
    (api, i) =>
      api.logs
        .slice(since[i])
        .filter((line) => path.test(String((line['req'] as { url?: string })?.url ?? ''))).length,
  );
}

/** The frames instance `i` delivers of `streamId` from the start, read to the end. */
function readOn(i: number, streamId: string): ChatStream {
  return resumeChat(
    { streamId },
    { baseUrl: apis[i].url, headers: ALICE_DIRECT, resume: { maxAttempts: 0 } },
  );
}

/**
 * Starts a reply on instance `i` alone and resolves with its id once its first frame came, and
 * with what its own reader will have read by the end.
 */
async function startOn(i: number) {
  const stream = streamChat(request, { baseUrl: apis[i].url, headers: ALICE_DIRECT });
  let started!: (streamId: string) => void;
  const streamId = new Promise<string>((resolve) => (started = resolve));
  const own = readChat(stream, (frame) => frame.type === 'start' && started(frame.streamId));
  return { streamId: await Promise.race([streamId, own.then(() => '')]), own };
}

it.each([21, 22, 23])(
  'gives a reader bounced between instances by cuts at random bytes the exact reply (seed %i)',
  async (seed) => {
    const since = apis.map((api) => api.logs.length);
    const result = await readChat(
      streamChat(request, {
        baseUrl: nginx.url,
        headers: ALICE_COOKIE,
        fetch: cuttingFetch(seededRandom(seed)),
        resume: FAST_RESUME,
      }),
    );
    expect(result.last).toMatchObject({ type: 'finish', finishReason: 'stop' });
    expect(result.text).toBe(REPLY);
    expect(result.frames.map(({ id }) => id)).toEqual(result.frames.map((_, i) => String(i + 1)));
    expect(result.reconnects).toBeGreaterThan(2);
    // Round robin sent the resumes to every instance, and one upstream request made the reply.
    expect(servedBy(/\/events/, since).filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    expect(mock.stats().requests).toBe(1);
  },
  30_000,
);

it('stops a reply from any instance: the upstream is aborted within a second, every reader told', async () => {
  const { streamId, own: ownReader } = await startOn(0);
  const elsewhere = readChat(readOn(1, streamId));
  await new Promise((resolve) => setTimeout(resolve, 300));
  const stoppedAt = Date.now();
  await stopStream(streamId, { baseUrl: apis[2].url, headers: ALICE_DIRECT });
  await mock.waitFor((stats) => stats.streamsAborted === 1, 1_000 + HEARTBEAT_MS);
  expect(Date.now() - stoppedAt).toBeLessThan(1_000 + HEARTBEAT_MS);
  const [own, other] = await Promise.all([ownReader, elsewhere]);
  for (const reader of [own, other]) {
    expect(reader.last).toEqual({ type: 'finish', finishReason: 'cancelled' });
  }
  expect(other.text).toBe(own.text);
  expect(REPLY.startsWith(other.text)).toBe(true);
});

it('ends the reply of a killed instance with generation_lost within the lease, the text so far kept', async () => {
  const { streamId } = await startOn(0);
  const reader = readChat(readOn(1, streamId));
  await new Promise((resolve) => setTimeout(resolve, 500));
  const killedAt = Date.now();
  await apis[0].stop('SIGKILL');
  const result = await reader;
  expect(result.last).toMatchObject({ type: 'error', code: 'generation_lost', retryable: true });
  expect(Date.now() - killedAt).toBeLessThan(LEASE_MS + 3 * HEARTBEAT_MS + 1_000);
  expect(result.text.length).toBeGreaterThan(0);
  expect(REPLY.startsWith(result.text)).toBe(true);
  await startInstance(0);
}, 30_000);

it('carries twenty replies through a rolling restart of all three instances, each exact', async () => {
  // Replies of about 8 s: the first instance to go still generates some of them, and its readers
  // are let go mid-reply to resume on the others; its drain (STREAM_DRAIN_MS) lets them finish.
  mock.configure({ chunkDelayMs: 130 });
  const replies = Array.from({ length: 20 }, () =>
    readChat(
      streamChat(request, { baseUrl: nginx.url, headers: ALICE_COOKIE, resume: FAST_RESUME }),
    ),
  );
  // Every reply has started before the first instance goes (a draining instance refuses new ones).
  await mock.waitFor((stats) => stats.requests === 20, 5_000);
  for (let i = 0; i < 3; i++) {
    await apis[i].stop('SIGTERM');
    await startInstance(i);
  }
  const results = await Promise.all(replies);
  expect(results.map((result) => result.last)).toEqual(
    results.map(() => ({ type: 'finish', finishReason: 'stop', usage: expect.anything() })),
  );
  for (const result of results) {
    expect(result.last).toMatchObject({ type: 'finish', finishReason: 'stop' });
    expect(result.text).toBe(REPLY);
  }
  expect(mock.stats().requests).toBe(20);
}, 90_000);

describe('the same Idempotency-Key sent twice', () => {
  /** POSTs `body` to instance `i` with `key` and reads the answer whole. */
  async function post(i: number, key: string, body: unknown = request) {
    const response = await fetch(`${apis[i].url}/api/chat/stream`, {
      method: 'POST',
      headers: { ...ALICE_DIRECT, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      streamId: response.headers.get('x-stream-id'),
      text: await response.text(),
    };
  }

  it('to two instances at once makes one generation, read by both from its first frame', async () => {
    const [a, b] = await Promise.all([post(0, 'double-click'), post(1, 'double-click')]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.streamId).toBe(a.streamId);
    expect(b.text).toBe(a.text);
    expect(a.text).toContain('"finishReason":"stop"');
    expect(mock.stats().requests).toBe(1);
    // The same key with another request is refused; a new key is a new reply.
    const other = await post(2, 'double-click', { messages: [{ role: 'user', content: 'Other' }] });
    expect(other.status).toBe(409);
    expect(JSON.parse(other.text)).toMatchObject({ code: 'idempotency_conflict' });
    const bad = await post(2, 'no spaces allowed');
    expect(bad.status).toBe(400);
    expect(mock.stats().requests).toBe(1);
  });

  it('through the OpenAI SDK on /v1 gives the same completion once', async () => {
    const sdk = (i: number) =>
      new OpenAI({
        apiKey: 'unused',
        baseURL: `${apis[i].url}/v1`,
        defaultHeaders: ALICE_DIRECT,
        maxRetries: 0,
      });
    const ask = (i: number) =>
      sdk(i).chat.completions.create(
        { model: 'gpt-4o-mini', messages: request.messages },
        // The SDK's own `idempotencyKey` option sends nothing for OpenAI's client: a header does.
        { headers: { 'Idempotency-Key': 'report-2026-12-04' } },
      );
    const [a, b] = await Promise.all([ask(1), ask(2)]);
    expect(b.id).toBe(a.id);
    expect(a.choices[0].message.content).toBe(REPLY);
    expect(mock.stats().requests).toBe(1);
  });
});
