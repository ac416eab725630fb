import {
  freePort,
  startPostgres,
  startRedis,
  type PostgresServer,
  type RedisServer,
} from '@tokenstream/e2e-support';
import { startMockOpenAi, type MockOpenAi } from '@tokenstream/mock-openai';
import { streamChat } from '@tokenstream/stream-client';
import { ApiPaths } from '@tokenstream/stream-contracts';
import {
  ensureProductImage,
  runContainer,
  waitForStatus,
  type Container,
} from './support/containers';
import { COMPOSE_NGINX_TEMPLATE, startNginx, type NginxProcess } from './support/processes';
import { readChat } from './support/read-chat';

// Two containers of the image on one Redis and one PostgreSQL (Debian's servers), behind a real
// nginx running the compose stack's site: each replaced in turn, as a rolling update replaces
// them, while twenty replies stream through nginx.
jest.setTimeout(180_000);

const REPLY = Array.from({ length: 60 }, (_, i) => `wört${i} 日本🙂 `).join('');
const FAST_RESUME = { maxAttempts: 60, initialDelayMs: 20, maxDelayMs: 250 };
/** Longer than a reply (about 12 s): a replaced container finishes what it generates. */
const DRAIN_MS = 20_000;
const START_TIMEOUT_MS = 60_000;

let image: string;
let redis: RedisServer;
let postgres: PostgresServer;
let mock: MockOpenAi;
let nginx: NginxProcess;
const ports: number[] = [];
const containers: Container[] = [];

/** Runs (or runs anew) replica `i` of the image on its own port, once it is ready. */
async function startReplica(i: number, databaseUrl: string): Promise<void> {
  containers[i] = await runContainer(image, {
    env: {
      PORT: String(ports[i]),
      AUTH_MODE: 'none',
      REDIS_URL: redis.url,
      DATABASE_URL: databaseUrl,
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: mock.url,
      CHAT_MODELS: 'gpt-4o-mini',
      STREAM_DRAIN_MS: String(DRAIN_MS),
      LIMIT_CONCURRENT_STREAMS: '50',
    },
    args: ['--read-only', '--tmpfs', '/tmp'],
  });
  await waitForStatus(`http://127.0.0.1:${ports[i]}${ApiPaths.healthReady}`, START_TIMEOUT_MS);
}

/**
 * As a rolling update replaces a replica: the old one drains and exits (within the drain), and a
 * new one takes its place and is ready before the next old one goes.
 */
async function replace(i: number): Promise<void> {
  const { exitCode, elapsedMs } = await containers[i].stop(DRAIN_MS / 1000 + 10);
  expect(exitCode).toBe(143);
  expect(elapsedMs).toBeLessThan(DRAIN_MS + 5_000);
  await containers[i].remove();
  await startReplica(i, databaseUrl);
}

let databaseUrl: string;
beforeAll(async () => {
  [image, redis, postgres, mock] = await Promise.all([
    ensureProductImage(),
    startRedis(),
    startPostgres(),
    startMockOpenAi({ reply: REPLY, chunks: 60, chunkDelayMs: 200 }),
  ]);
  databaseUrl = await postgres.createDatabase();
  for (let i = 0; i < 2; i++) ports.push(await freePort());
  // Both at once, as compose starts them: they migrate the one database together.
  await Promise.all([0, 1].map((i) => startReplica(i, databaseUrl)));
  nginx = await startNginx({
    api: ports.map((port) => `127.0.0.1:${port}`),
    template: COMPOSE_NGINX_TEMPLATE,
  });
}, 900_000);

afterAll(async () => {
  await nginx?.stop();
  await Promise.all(containers.map((container) => container?.remove()));
  await Promise.all([mock?.close(), redis?.stop(), postgres?.stop()]);
});

it('replaces each replica in turn while twenty replies stream, losing and repeating nothing', async () => {
  let finished = 0;
  const ask = () =>
    readChat(
      streamChat(
        { messages: [{ role: 'user', content: 'Hi' }], conversation: {} },
        { baseUrl: nginx.url, resume: FAST_RESUME },
      ),
    ).finally(() => (finished += 1));
  // Ten replies, then the first replica goes; ten more while it drains (those sent to it are
  // refused with a 503 and sent again, reaching the other), still streaming when the second goes.
  const first = Array.from({ length: 10 }, ask);
  await mock.waitFor((stats) => stats.requests === 10, 10_000);
  const draining = replace(0);
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const second = Array.from({ length: 10 }, ask);
  await draining;
  const streamingWhenTheSecondWent = 20 - finished;
  await replace(1);
  expect(streamingWhenTheSecondWent).toBeGreaterThan(0);

  const results = await Promise.all([...first, ...second]);
  for (const result of results) {
    expect(result.last).toMatchObject({ type: 'finish', finishReason: 'stop' });
    expect(result.text).toBe(REPLY);
    // Ids run 1, 2, 3… with no gap and no repeat across every resume.
    expect(result.frames.map(({ id }) => id)).toEqual(result.frames.map((_, i) => String(i + 1)));
  }
  // Readers were moved off each replica as it went, and resumed on the other.
  expect(results.reduce((sum, { reconnects }) => sum + reconnects, 0)).toBeGreaterThan(0);
  // One upstream request per reply: nothing was started twice.
  expect(mock.stats().requests).toBe(20);
  // And every reply was kept whole in PostgreSQL, whichever replica generated it.
  const listed = (await (await fetch(`${nginx.url}/api/conversations?limit=100`)).json()) as {
    conversations: { id: string }[];
  };
  expect(listed.conversations).toHaveLength(20);
  for (const { id } of listed.conversations.slice(0, 3)) {
    const conversation = (await (await fetch(`${nginx.url}/api/conversations/${id}`)).json()) as {
      messages: { role: string; status?: string; content: string }[];
    };
    expect(conversation.messages[1]).toMatchObject({ status: 'complete', content: REPLY });
  }
});
