import {
  readStream,
  spawnApi,
  writeKeysFile,
  type ApiProcess,
  waitForLog,
} from '@tokenstream/e2e-support';
import { ApiPaths } from '@tokenstream/stream-contracts';
import { createClient } from 'redis';
import { useApiUnderTest } from './support/api-under-test';
import { openStream } from './support/stream-client';

const KEY = 'tsk_shared_0123456789abcdef';
const WINDOWED_KEY = 'tsk_windowed_0123456789abcdef';
const request = { messages: [{ role: 'user', content: 'Hi' }] };

/** POSTs a chat request with the key; `leave` aborts the connection. */
function post(api: ApiProcess, leave?: AbortSignal, key = KEY): Promise<Response> {
  return openStream(api.url, request, leave, { authorization: `Bearer ${key}` });
}

/** Opens a stream, again every 100 ms while refused, for at most `withinMs`: the last answer. */
async function openOnceAdmitted(api: ApiProcess, withinMs: number): Promise<Response | undefined> {
  const deadline = Date.now() + withinMs;
  let answer: Response | undefined;
  while (Date.now() < deadline) {
    answer = await openStream(api.url, request);
    if (answer.status === 200) return answer;
    await answer.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return answer;
}

describe('limits shared by several instances through REDIS_URL', () => {
  const app = useApiUnderTest({
    upstream: { reply: 'Shared.', chunks: 20, chunkDelayMs: 100 },
    redis: true,
    apis: 2,
    env: {
      AUTH_MODE: 'apikey',
      API_KEYS_FILE: writeKeysFile([
        { name: 'shared', key: KEY, limits: { concurrentStreams: 1 } },
        { name: 'windowed', key: WINDOWED_KEY, limits: { requestsPerMinute: 2 } },
      ]),
      CHAT_MODELS: 'gpt-4o-mini',
      STREAM_RESUME_GRACE_MS: '0',
    },
  });

  it('a stream open on one instance holds the key’s only slot on the other', async () => {
    const [one, two] = app.apis;
    const leave = new AbortController();
    const first = await post(one, leave.signal);
    expect(first.status).toBe(200);
    try {
      const second = await post(two);
      expect(second.status).toBe(429);
      expect(await second.json()).toMatchObject({
        code: 'rate_limited',
        problems: [{ path: 'limit', message: 'concurrentStreams' }],
      });
    } finally {
      leave.abort();
    }
    // Leaving ends the stream at once (no grace): its slot comes back, seen from the other instance.
    const deadline = Date.now() + 5_000;
    let third: Response | undefined;
    while (Date.now() < deadline) {
      third = await post(two, AbortSignal.timeout(200)).catch(() => undefined);
      if (third?.status === 200) break;
      await third?.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(third?.status).toBe(200);
    await third?.body?.cancel().catch(() => undefined);
  });

  it('counts requests per minute across instances', async () => {
    const [one, two] = app.apis;
    for (const api of [one, two]) {
      const admitted = await post(api, undefined, WINDOWED_KEY);
      expect(admitted.status).toBe(200);
      await admitted.body?.cancel();
    }
    // Two in the window, one on each instance: a third on either is refused.
    for (const api of [one, two]) {
      const refused = await post(api, undefined, WINDOWED_KEY);
      expect(refused.status).toBe(429);
      expect(await refused.json()).toMatchObject({
        problems: [{ path: 'limit', message: 'requestsPerMinute' }],
      });
    }
  });
});

describe('Redis lost while the api runs', () => {
  const app = useApiUnderTest({
    redis: true,
    env: { LIMIT_CONCURRENT_STREAMS: '1', STREAM_RESUME_GRACE_MS: '0', DEMO_TOKEN_DELAY_MS: '1' },
  });

  it('refuses new replies with a retryable 503 while it is gone, and streams again once it is back', async () => {
    const { api, redis } = app;
    await redis.stop();
    // The replies live in Redis: without it none can start, and the caller is told to retry.
    const refused = await openStream(api.url, request);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await refused.json()).toMatchObject({ code: 'store_unavailable' });
    // Not ready meanwhile (balancers send new replies elsewhere), but live: a restart would
    // not bring Redis back.
    const ready = await fetch(new URL(ApiPaths.healthReady, api.url));
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'store_unavailable', store: null });
    expect((await fetch(new URL(ApiPaths.healthLive, api.url))).status).toBe(200);
    // Back, and empty (no persistence): the api reconnects by itself and replies stream again.
    await redis.restart();
    const next = await openOnceAdmitted(api, 10_000);
    expect(next?.status).toBe(200);
    const transcript = await readStream(next as Response);
    expect(transcript.frames.at(-1)?.frame).toMatchObject({
      type: 'finish',
      finishReason: 'stop',
    });
  });
});

describe('Redis connected but not answering', () => {
  const app = useApiUnderTest({
    redis: true,
    env: {
      REDIS_COMMAND_TIMEOUT_MS: '500',
      LIMIT_CONCURRENT_STREAMS: '1',
      STREAM_RESUME_GRACE_MS: '0',
      DEMO_TOKEN_DELAY_MS: '1',
      METRICS_PORT: '0',
    },
  });

  it('answers a new reply within the command timeouts, not hang, and gives back the slot taken late', async () => {
    const { api, redis } = app;
    const probe = await createClient({ url: redis.url }).connect();
    const pid = Number(/process_id:(\d+)/.exec(await probe.info('server'))?.[1]);
    await probe.close();
    let frozen = false;
    try {
      // Frozen, Redis keeps its connections open and takes commands, but never answers them.
      process.kill(pid, 'SIGSTOP');
      frozen = true;
      // 500 ms, and what a busy two-core machine adds to it; past that the admission hangs.
      const patience = new AbortController();
      const timer = setTimeout(
        () =>
          patience.abort(new Error('no answer in 5 s: the admission waits for the frozen Redis')),
        5_000,
      );
      const refused = await openStream(api.url, request, patience.signal).finally(() =>
        clearTimeout(timer),
      );
      // Admitted uncounted by the limits, then refused: the reply has nowhere to be stored.
      expect(refused.status).toBe(503);
      expect(await refused.json()).toMatchObject({ code: 'store_unavailable' });
      const warning = await waitForLog(
        api,
        (line) => line.msg === 'limits unavailable: stream admitted without counting',
      );
      expect(warning['err']).toMatchObject({ type: 'RedisCommandTimeoutError' });
      const metrics = String((await waitForLog(api, (l) => 'metricsUrl' in l))['metricsUrl']);
      expect(await (await fetch(metrics)).text()).toMatch(
        /^tokenstream_limits_unavailable_total 1$/m,
      );

      // Awake, Redis runs the admission it was sent, which takes the only slot: it is given back.
      process.kill(pid, 'SIGCONT');
      frozen = false;
      const next = await openOnceAdmitted(api, 5_000);
      expect(next?.status).toBe(200);
      await next?.body?.cancel();
    } finally {
      if (frozen) process.kill(pid, 'SIGCONT');
    }
  });
});

describe('REDIS_URL that cannot be reached', () => {
  it('stops the api at boot with one line naming it', async () => {
    const { child, exited } = spawnApi({ REDIS_URL: 'redis://127.0.0.1:1' });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await exited).toMatchObject({ code: 1 });
    expect(stderr.trim()).toMatch(
      /^tokenstream api: invalid configuration: REDIS_URL: cannot reach redis:\/\/127\.0\.0\.1:1/,
    );
  });
});
