import { readStream, writeKeysFile, type ApiProcess } from '@tokenstream/e2e-support';
import { ApiPaths, STREAM_ID_HEADER, type ApiErrorBody } from '@tokenstream/stream-contracts';
import { useApiUnderTest } from './support/api-under-test';

/** Each test has its own callers, so one test's counts never reach another's. */
const CALLERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'metered', 'frank'] as const;
type Caller = (typeof CALLERS)[number];
const keyOf = (caller: Caller) => `tsk_${caller}_0123456789abcdef`;

/** `metered` may use 20 tokens a day: one short reply uses them up. */
const METERED_TOKENS_PER_DAY = 20;

function keysFile(): string {
  return writeKeysFile(
    CALLERS.map((name) => ({
      name,
      key: keyOf(name),
      ...(name === 'metered' ? { limits: { tokensPerDay: METERED_TOKENS_PER_DAY } } : {}),
    })),
  );
}

/** A reply of `maxTokens` demo tokens, 20 ms each: long enough to be caught generating. */
function post(api: ApiProcess, caller: Caller, maxTokens: number): Promise<Response> {
  return fetch(new URL(ApiPaths.chatStream, api.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': keyOf(caller) },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }], maxTokens }),
  });
}

/** Opens a stream that must be admitted. */
async function open(api: ApiProcess, caller: Caller, maxTokens: number): Promise<Response> {
  const response = await post(api, caller, maxTokens);
  if (response.status !== 200) {
    throw new Error(`${caller}: expected 200, got ${response.status}: ${await response.text()}`);
  }
  return response;
}

/** Opens a stream that must be refused, and returns the refusal. */
async function refused(api: ApiProcess, caller: Caller) {
  const response = await post(api, caller, 1);
  const body = (await response.json()) as ApiErrorBody;
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
}

describe('per-principal limits (API keys, LIMIT_CONCURRENT_STREAMS=1, LIMIT_REQUESTS_PER_MINUTE=3)', () => {
  const app = useApiUnderTest({
    env: {
      AUTH_MODE: 'apikey',
      API_KEYS_FILE: keysFile(),
      DEMO_TOKEN_DELAY_MS: '20',
      LIMIT_CONCURRENT_STREAMS: '1',
      LIMIT_REQUESTS_PER_MINUTE: '3',
    },
  });

  it('refuses a second stream at once with 429 concurrentStreams, until the first finishes', async () => {
    const first = await open(app.api, 'alice', 25);
    const reading = readStream(first);

    const refusal = await refused(app.api, 'alice');
    expect(refusal.status).toBe(429);
    expect(refusal.retryAfter).toBe('5');
    expect(refusal.body).toMatchObject({
      statusCode: 429,
      code: 'rate_limited',
      message: 'You have 1 reply generating at once, the most allowed. Wait for one to finish.',
      problems: [{ path: 'limit', message: 'concurrentStreams' }],
    });
    // Another principal has its own slot.
    await readStream(await open(app.api, 'bob', 1));

    expect((await reading).frames.at(-1)?.frame).toMatchObject({ finishReason: 'length' });
    await readStream(await open(app.api, 'alice', 1));
  });

  it('frees the slot when the stream is stopped with DELETE', async () => {
    const running = await open(app.api, 'carol', 500);
    const streamId = running.headers.get(STREAM_ID_HEADER) ?? '';
    const reading = readStream(running);
    expect((await refused(app.api, 'carol')).body.problems).toEqual([
      { path: 'limit', message: 'concurrentStreams' },
    ]);

    const stop = await fetch(new URL(ApiPaths.stream(streamId), app.url), {
      method: 'DELETE',
      headers: { 'x-api-key': keyOf('carol') },
    });
    expect(stop.status).toBe(204);
    expect((await reading).frames.at(-1)?.frame).toEqual({
      type: 'finish',
      finishReason: 'cancelled',
    });
    await readStream(await open(app.api, 'carol', 1));
  });

  it('refuses a fourth stream in a minute with 429 requestsPerMinute, to retry when the first is a minute old', async () => {
    for (let i = 0; i < 3; i += 1) await readStream(await open(app.api, 'dave', 1));

    const refusal = await refused(app.api, 'dave');
    expect(refusal.status).toBe(429);
    expect(refusal.body).toMatchObject({
      code: 'rate_limited',
      problems: [{ path: 'limit', message: 'requestsPerMinute' }],
    });
    expect(refusal.body.message).toMatch(/^You have started 3 replies in the last minute/);
    // The first of the three left at most a few seconds ago: it leaves the window in about 60 s.
    expect(Number(refusal.retryAfter)).toBeGreaterThanOrEqual(50);
    expect(Number(refusal.retryAfter)).toBeLessThanOrEqual(60);

    await readStream(await open(app.api, 'erin', 1));
  });

  it('refuses a key past its own tokensPerDay with 429 tokensPerDay, to retry at midnight UTC', async () => {
    // 'Hi' and 30 demo tokens: the upstream's usage (31 tokens) passes the day's 20.
    const transcript = await readStream(await open(app.api, 'metered', 30));
    const finish = transcript.frames.at(-1)?.frame;
    expect(finish).toMatchObject({ type: 'finish', usage: { totalTokens: 31 } });

    const refusal = await refused(app.api, 'metered');
    const midnight = new Date().setUTCHours(24, 0, 0, 0);
    expect(refusal.status).toBe(429);
    expect(refusal.body).toMatchObject({
      code: 'rate_limited',
      message: `You have used today's ${METERED_TOKENS_PER_DAY} tokens, the most allowed. More are available after midnight UTC.`,
      problems: [{ path: 'limit', message: 'tokensPerDay' }],
    });
    expect(Math.abs(Number(refusal.retryAfter) - (midnight - Date.now()) / 1000)).toBeLessThan(5);

    // The default (200000 a day) still applies to everyone else.
    await readStream(await open(app.api, 'frank', 30));
  });
});
