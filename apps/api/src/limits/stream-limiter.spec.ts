import { ErrorCodes, type ChatRequest } from '@tokenstream/stream-contracts';
import { ANONYMOUS, type Principal } from '../shared/principal';
import type { ApiException } from '../common/api-exception';
import { LimitExceededException } from './limit-exceeded';
import { MemoryLimitStore } from './memory-limit-store';
import type { PrincipalLimits } from '../shared/principal-limits';
import { StreamLimiter } from './stream-limiter';
import { streamsForTest } from '../streams/testing/streams-for-test';
import { ApiMetrics } from '../metrics/api-metrics';

const alice: Principal = { id: 'apikey:alice', kind: 'service', via: 'apikey', groups: [] };
const bob: Principal = { id: 'apikey:bob', kind: 'service', via: 'apikey', groups: [] };
/** 40 characters: 10 tokens by the estimate. */
const request = { promptChars: 40 };
/** A chat request of that size, for the tests that start whole streams. */
const chat: ChatRequest = { messages: [{ role: 'user', content: 'x'.repeat(40) }] };
const unlimited: PrincipalLimits = { concurrentStreams: 0, requestsPerMinute: 0, tokensPerDay: 0 };

function setUp(
  limits: Partial<PrincipalLimits>,
  start = '2025-03-01T12:00:00Z',
  modelLimits: Record<string, Partial<PrincipalLimits>> = {},
) {
  let now = Date.parse(start);
  const clock = () => now;
  const store = new MemoryLimitStore(clock);
  const limiter = new StreamLimiter({ ...unlimited, ...limits }, store, {
    now: clock,
    modelLimits,
  });
  return { store, limiter, advance: (ms: number) => (now += ms) };
}

/** The exception `admit` threw, or a failure if it admitted. */
async function refusal(admit: () => Promise<unknown>): Promise<ApiException> {
  try {
    await admit();
  } catch (error) {
    return error as ApiException;
  }
  throw new Error('expected the stream to be refused');
}

describe('StreamLimiter', () => {
  it('refuses a stream past the concurrency limit with a 429 naming it, and Retry-After 5', async () => {
    const { limiter } = setUp({ concurrentStreams: 2 });
    await limiter.admit(alice, request);
    await limiter.admit(alice, request);
    const refused = await refusal(() => limiter.admit(alice, request));
    expect(refused).toMatchObject({
      statusCode: 429,
      code: ErrorCodes.rateLimited,
      message: 'You have 2 replies generating at once, the most allowed. Wait for one to finish.',
      problems: [{ path: 'limit', message: 'concurrentStreams' }],
      headers: { 'Retry-After': '5' },
    });
    await expect(limiter.admit(bob, request)).resolves.toBeDefined();
  });

  it('frees the slot when the stream ends, once, however often it is told so', async () => {
    const { limiter, store } = setUp({ concurrentStreams: 2 });
    const first = await limiter.admit(alice, request);
    await limiter.admit(alice, request);
    await first.end({ completionChars: 0 });
    await first.end({ completionChars: 0 });
    expect(await store.activeSlots(alice.id)).toBe(1);
    await limiter.admit(alice, request);
    expect((await refusal(() => limiter.admit(alice, request))).statusCode).toBe(429);
  });

  it('refuses past the requests per minute, until the oldest request is a minute old', async () => {
    const { limiter, store, advance } = setUp({ requestsPerMinute: 2, concurrentStreams: 5 });
    await (await limiter.admit(alice, request)).end({ completionChars: 0 });
    advance(15_500);
    await (await limiter.admit(alice, request)).end({ completionChars: 0 });
    advance(10_000);
    const refused = await refusal(() => limiter.admit(alice, request));
    expect(refused).toMatchObject({
      statusCode: 429,
      problems: [{ path: 'limit', message: 'requestsPerMinute' }],
      // The first request leaves the window 34.5 s from now: rounded up to whole seconds.
      headers: { 'Retry-After': '35' },
    });
    expect(refused.message).toBe(
      'You have started 2 replies in the last minute, the most allowed. Try again in 35 s.',
    );
    // The refused request holds no slot.
    expect(await store.activeSlots(alice.id)).toBe(0);
    advance(34_500);
    await expect(limiter.admit(alice, request)).resolves.toBeDefined();
  });

  it('counts the tokens the upstream reported, and refuses until midnight UTC once the day is used', async () => {
    const { limiter, advance } = setUp({ tokensPerDay: 1_000 }, '2025-03-01T22:30:00Z');
    const ticket = await limiter.admit(alice, request);
    await ticket.end({
      completionChars: 'Hello'.length,
      usage: { promptTokens: 900, completionTokens: 100, totalTokens: 1_000 },
    });
    const refused = await refusal(() => limiter.admit(alice, request));
    expect(refused).toMatchObject({
      statusCode: 429,
      code: 'rate_limited',
      problems: [{ path: 'limit', message: 'tokensPerDay' }],
      headers: { 'Retry-After': String(90 * 60) },
    });
    expect(refused.message).toMatch(/today's 1000 tokens/);
    await expect(limiter.admit(bob, request)).resolves.toBeDefined();
    advance(90 * 60 * 1000);
    await expect(limiter.admit(alice, request)).resolves.toBeDefined();
  });

  it('estimates the tokens of a stream that ended without usage from its characters', async () => {
    const { limiter, store } = setUp({ tokensPerDay: 1_000 });
    const ticket = await limiter.admit(alice, request);
    await ticket.end({ completionChars: 30 + 11 });
    // 40 prompt characters: 10 tokens; 41 reply characters: 11 tokens (rounded up).
    expect(await store.tokensToday(alice.id)).toBe(21);
  });

  it("takes a key's own limits over the defaults, and 0 as no limit at all", async () => {
    const { limiter } = setUp({ concurrentStreams: 1 });
    const generous: Principal = { ...alice, limits: { concurrentStreams: 0 } };
    const strict: Principal = { ...bob, limits: { concurrentStreams: 0, tokensPerDay: 5 } };
    for (let i = 0; i < 20; i += 1) await limiter.admit(generous, request);
    const ticket = await limiter.admit(strict, request);
    await ticket.end({ completionChars: 0 });
    expect((await refusal(() => limiter.admit(strict, request))).problems).toEqual([
      { path: 'limit', message: 'tokensPerDay' },
    ]);
  });

  it('admits without counting, and says so, when the limit store cannot be reached', async () => {
    const down = new Error('connect ECONNREFUSED 127.0.0.1:6379');
    const unreachable = new MemoryLimitStore();
    for (const method of ['admit', 'acquireSlot', 'releaseSlot', 'recordRequest'] as const) {
      jest.spyOn(unreachable, method).mockRejectedValue(down);
    }
    const metrics = new ApiMetrics({ defaultMetrics: false });
    const limiter = new StreamLimiter(
      { concurrentStreams: 1, requestsPerMinute: 1, tokensPerDay: 10 },
      unreachable,
      { metrics },
    );
    const tickets = [await limiter.admit(alice, request), await limiter.admit(alice, request)];
    await Promise.all(tickets.map((ticket) => ticket.end({ completionChars: 100 })));
    expect(await metrics.registry.metrics()).toContain('tokenstream_limits_unavailable_total 2');
  });

  it('hands over where the caller’s requests and tokens stand, with this request counted', async () => {
    const { limiter, advance } = setUp({ requestsPerMinute: 3, tokensPerDay: 1_000 });
    const first = await limiter.admit(alice, request);
    expect(first.standing).toEqual({
      requests: { limit: 3, remaining: 2, resetMs: 60_000 },
      // 12:00 UTC: half a day to midnight.
      tokens: { limit: 1_000, remaining: 1_000, resetMs: 12 * 3_600_000 },
    });
    await first.end({
      completionChars: 0,
      usage: { promptTokens: 200, completionTokens: 50, totalTokens: 250 },
    });
    advance(15_000);
    const second = await limiter.admit(alice, request);
    expect(second.standing).toEqual({
      requests: { limit: 3, remaining: 1, resetMs: 45_000 },
      tokens: { limit: 1_000, remaining: 750, resetMs: 12 * 3_600_000 - 15_000 },
    });
  });

  it('tells nothing of a limit that is off, and nothing when it admits without counting', async () => {
    const { limiter } = setUp({ requestsPerMinute: 5, concurrentStreams: 2 });
    expect((await limiter.admit(alice, request)).standing).toEqual({
      requests: { limit: 5, remaining: 4, resetMs: 60_000 },
    });
    const keyed: Principal = { ...bob, limits: { requestsPerMinute: 0, tokensPerDay: 9 } };
    expect(Object.keys((await limiter.admit(keyed, request)).standing)).toEqual(['tokens']);

    const unreachable = new MemoryLimitStore();
    jest.spyOn(unreachable, 'admit').mockRejectedValue(new Error('connect ECONNREFUSED'));
    const failingOpen = new StreamLimiter({ ...unlimited, requestsPerMinute: 5 }, unreachable);
    expect((await failingOpen.admit(alice, request)).standing).toEqual({});
  });

  it('tells a 429 where the caller’s limits stand, none left of the one that refused', async () => {
    const { limiter } = setUp({ requestsPerMinute: 1, tokensPerDay: 1_000 });
    await limiter.admit(alice, request);
    const refused = await refusal(() => limiter.admit(alice, request));
    expect(refused).toBeInstanceOf(LimitExceededException);
    expect((refused as LimitExceededException).standing).toEqual({
      requests: { limit: 1, remaining: 0, resetMs: 60_000 },
      tokens: { limit: 1_000, remaining: 1_000, resetMs: 12 * 3_600_000 },
    });
  });

  it('makes every caller of AUTH_MODE=none share one set of limits', async () => {
    const { limiter } = setUp({ concurrentStreams: 1 });
    await limiter.admit({ ...ANONYMOUS }, request);
    expect((await refusal(() => limiter.admit({ ...ANONYMOUS }, request))).statusCode).toBe(429);
  });
});

describe('streams with limits', () => {
  function service(limits: Partial<PrincipalLimits>, tokenDelayMs: number) {
    const {
      readers: streamsService,
      store: streams,
      limitStore,
      start,
      readToEnd,
    } = streamsForTest({ limits, tokenDelayMs });
    return {
      streamsService,
      streams,
      limitStore,
      start: () => start(alice, chat),
      readToEnd: (streamId: string) => readToEnd(streamId, alice),
    };
  }

  it('creates no stream for a refused request', async () => {
    const { streamsService, streams, start } = service({ concurrentStreams: 1 }, 50);
    const first = await start();
    await expect(start()).rejects.toThrow(
      expect.objectContaining({ statusCode: 429, code: ErrorCodes.rateLimited }),
    );
    expect((await streams.usage()).streams).toBe(1);
    await streamsService.stop(first, alice);
    streams.onModuleDestroy();
  });

  it('frees the slot and counts the reported usage when the reply finishes', async () => {
    const { streamsService, streams, limitStore, start, readToEnd } = service(
      { concurrentStreams: 1, tokensPerDay: 100_000 },
      0,
    );
    const frames = await readToEnd(await start());
    const finish = frames.at(-1)?.frame;
    if (finish?.type !== 'finish') throw new Error(`ended with ${JSON.stringify(finish)}`);
    expect(await limitStore.activeSlots(alice.id)).toBe(0);
    expect(await limitStore.tokensToday(alice.id)).toBe(finish.usage?.totalTokens);
    const next = await start();
    expect(() => streamsService.stop(next, alice)).not.toThrow();
    streams.onModuleDestroy();
  });

  it('frees the slot when the reply is stopped, counting an estimate of what was generated', async () => {
    const { streamsService, streams, limitStore, start, readToEnd } = service(
      { concurrentStreams: 1, tokensPerDay: 100_000 },
      20,
    );
    const streamId = await start();
    const reading = readToEnd(streamId);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await streamsService.stop(streamId, alice);
    const frames = (await reading).map(({ frame }) => frame);
    expect(frames.at(-1)).toEqual({ type: 'finish', finishReason: 'cancelled' });
    expect(await limitStore.activeSlots(alice.id)).toBe(0);
    const replyChars = frames.reduce(
      (sum, frame) => sum + (frame.type === 'text-delta' ? frame.delta.length : 0),
      0,
    );
    expect(replyChars).toBeGreaterThan(0);
    expect(await limitStore.tokensToday(alice.id)).toBe(10 + Math.ceil(replyChars / 4));
    await streamsService.stop(await start(), alice);
    streams.onModuleDestroy();
  });
});

describe('StreamLimiter with limits of a model (the models file)', () => {
  const big = (size = 40) => ({ promptChars: size, model: 'big' });

  it('counts each caller’s use of that model apart, and names the model when it refuses', async () => {
    const { limiter } = setUp({ requestsPerMinute: 10 }, undefined, {
      big: { requestsPerMinute: 1 },
    });
    await limiter.admit(alice, big());
    const refused = await refusal(() => limiter.admit(alice, big()));
    expect(refused.statusCode).toBe(429);
    expect(refused.message).toMatch(/^With big: you have started 1 reply in the last minute/);
    // Other models, and other callers of this one, are not held back.
    await expect(limiter.admit(alice, { promptChars: 40, model: 'small' })).resolves.toBeDefined();
    await expect(limiter.admit(bob, big())).resolves.toBeDefined();
  });

  it('gives the model’s slot back when the reply ends, and when the caller’s own limit refuses', async () => {
    const { limiter } = setUp({ concurrentStreams: 1 }, undefined, {
      big: { concurrentStreams: 1 },
    });
    const first = await limiter.admit(alice, big());
    expect((await refusal(() => limiter.admit(alice, big()))).message).toMatch(/^With big:/);
    await first.end({ completionChars: 0 });

    // Alice's own single slot is taken by another model: refused by her limit, not the model's...
    const other = await limiter.admit(alice, { promptChars: 40, model: 'small' });
    expect((await refusal(() => limiter.admit(alice, big()))).message).not.toMatch(/^With big/);
    await other.end({ completionChars: 0 });
    // ...and the model's slot that refusal took was given back.
    await expect(limiter.admit(alice, big())).resolves.toBeDefined();
  });

  it('tells the caller’s own standing, not the model’s, and none when the model’s limit refuses', async () => {
    const { limiter } = setUp({ requestsPerMinute: 10 }, undefined, {
      big: { requestsPerMinute: 1 },
    });
    const admitted = await limiter.admit(alice, big());
    expect(admitted.standing).toEqual({ requests: { limit: 10, remaining: 9, resetMs: 60_000 } });
    const refused = await refusal(() => limiter.admit(alice, big()));
    expect((refused as LimitExceededException).standing).toBeUndefined();
  });

  it('counts the model’s tokens per caller per day', async () => {
    const { limiter } = setUp({}, undefined, { big: { tokensPerDay: 10 } });
    const ticket = await limiter.admit(alice, big());
    await ticket.end({
      completionChars: 0,
      usage: { promptTokens: 8, completionTokens: 4, totalTokens: 12 },
    });
    expect((await refusal(() => limiter.admit(alice, big()))).message).toMatch(
      /^With big: you have used today's 10 tokens/,
    );
  });
});
