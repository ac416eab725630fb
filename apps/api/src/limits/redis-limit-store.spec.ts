import { startRedis, type RedisServer } from '@tokenstream/e2e-support';
import { createClient } from 'redis';
import { describeLimitStore } from './limit-store.contract';
import { REQUEST_WINDOW_MS } from './limit-store';
import {
  DEFAULT_LIMIT_KEY_PREFIX,
  RedisLimitStore,
  type LimitRedisClient,
} from './redis-limit-store';
import { RedisCommandTimeoutError } from '../redis/redis-command-timeout';
import { msUntilUtcMidnight, utcDay } from './utc-day';

/** A connected client, as an api instance holds one. */
function connect(url: string) {
  return createClient({ url }).connect();
}

type RedisClient = Awaited<ReturnType<typeof connect>>;

/** A lease no test outlives. */
const LEASE_MS = 60_000;

/** How long past its UTC day the store keeps a token counter (an hour). */
const TOKENS_KEPT_AFTER_DAY_MS = 3_600_000;

/** Principal ids as the auth layer makes them: any character may appear. */
const ODD_IDS = [
  'oidc:https://issuer.example/realms/a|sub-1',
  'key:{hash-tag}',
  'a b\r\nc*?[]',
  'ключ-🔑',
  '',
];

describe('RedisLimitStore', () => {
  let server: RedisServer;
  /** Two connections, as two api instances would hold. */
  let first: RedisClient;
  let second: RedisClient;

  beforeAll(async () => {
    server = await startRedis();
    [first, second] = await Promise.all([connect(server.url), connect(server.url)]);
  });

  afterAll(async () => {
    await Promise.all([first?.close(), second?.close()]);
    await server?.stop();
  });

  beforeEach(async () => {
    await first.flushAll();
  });

  describeLimitStore('RedisLimitStore', async () => new RedisLimitStore(first));

  describe('shared by instances', () => {
    it('counts the slots of every instance against one max', async () => {
      const here = new RedisLimitStore(first);
      const there = new RedisLimitStore(second);
      const slotId = await here.acquireSlot('alice', 2, LEASE_MS);
      await there.acquireSlot('alice', 2, LEASE_MS);
      expect(await here.acquireSlot('alice', 2, LEASE_MS)).toBeUndefined();
      expect(await there.activeSlots('alice')).toBe(2);
      // An instance may release a slot another took (the ticket carries its id).
      await there.releaseSlot('alice', slotId as string);
      expect(await here.activeSlots('alice')).toBe(1);
    });

    it('counts the requests and tokens of every instance together', async () => {
      const here = new RedisLimitStore(first);
      const there = new RedisLimitStore(second);
      await here.recordRequest('alice', 2);
      await there.recordRequest('alice', 2);
      expect((await here.recordRequest('alice', 2)).ok).toBe(false);
      await here.addTokens('alice', 40);
      await there.addTokens('alice', 2);
      expect(await there.tokensToday('alice')).toBe(42);
    });

    it('admits exactly max streams of concurrent admissions from two instances', async () => {
      const stores = [new RedisLimitStore(first), new RedisLimitStore(second)];
      const limits = { tokensPerDay: 0, concurrentStreams: 5, requestsPerMinute: 0 };
      const admissions = await Promise.all(
        Array.from({ length: 50 }, (_, i) => stores[i % 2].admit('alice', limits, LEASE_MS)),
      );
      expect(admissions.filter((admission) => admission.ok)).toHaveLength(5);
      expect(await stores[0].activeSlots('alice')).toBe(5);
    });

    it('gives out exactly max slots to concurrent calls from two instances', async () => {
      const stores = [new RedisLimitStore(first), new RedisLimitStore(second)];
      const ids = await Promise.all(
        Array.from({ length: 50 }, (_, i) => stores[i % 2].acquireSlot('alice', 5, LEASE_MS)),
      );
      const taken = ids.filter((id) => id !== undefined);
      expect(taken).toHaveLength(5);
      expect(new Set(taken).size).toBe(5);
      expect(await stores[0].activeSlots('alice')).toBe(5);
    });

    it('counts exactly max of concurrent requests, even in the same millisecond', async () => {
      const stores = [new RedisLimitStore(first), new RedisLimitStore(second)];
      const decisions = await Promise.all(
        Array.from({ length: 50 }, (_, i) => stores[i % 2].recordRequest('alice', 10)),
      );
      expect(decisions.filter((decision) => decision.ok)).toHaveLength(10);
      expect(await first.zCard(`${DEFAULT_LIMIT_KEY_PREFIX}requests:${encoded('alice')}`)).toBe(10);
    });

    it('adds up concurrent token counts without losing any', async () => {
      const stores = [new RedisLimitStore(first), new RedisLimitStore(second)];
      await Promise.all(Array.from({ length: 50 }, (_, i) => stores[i % 2].addTokens('alice', 3)));
      expect(await stores[1].tokensToday('alice')).toBe(150);
    });
  });

  describe('keys', () => {
    it('keeps every key under the prefix, with the principal id encoded', async () => {
      const store = new RedisLimitStore(first, { prefix: 'test:' });
      for (const id of ODD_IDS) {
        await store.acquireSlot(id, 1, LEASE_MS);
        await store.recordRequest(id, 1);
        await store.addTokens(id, 1);
      }
      const keys = await first.keys('*');
      expect(keys).toHaveLength(ODD_IDS.length * 3);
      for (const key of keys) expect(key).toMatch(/^test:(slots|requests|tokens):[\w-]*(:\d+)?$/);
    });

    it('keeps the counters of odd principal ids apart', async () => {
      const store = new RedisLimitStore(first);
      for (const [i, id] of ODD_IDS.entries()) {
        expect(await store.acquireSlot(id, 1, LEASE_MS)).toEqual(expect.any(String));
        expect(await store.recordRequest(id, 1)).toEqual({ ok: true });
        await store.addTokens(id, i + 1);
      }
      for (const [i, id] of ODD_IDS.entries()) {
        expect(await store.acquireSlot(id, 1, LEASE_MS)).toBeUndefined();
        expect((await store.recordRequest(id, 1)).ok).toBe(false);
        expect(await store.tokensToday(id)).toBe(i + 1);
      }
    });

    it('lets every key expire by itself', async () => {
      const store = new RedisLimitStore(first);
      await store.acquireSlot('alice', 2, 20_000);
      await store.acquireSlot('alice', 2, 10_000);
      await store.recordRequest('alice', 5);
      await store.addTokens('alice', 5);
      const now = Date.now();
      const slotsTtl = await first.pTTL(`${DEFAULT_LIMIT_KEY_PREFIX}slots:${encoded('alice')}`);
      // The longest lease, not the last one taken.
      expect(slotsTtl).toBeGreaterThan(10_000);
      expect(slotsTtl).toBeLessThanOrEqual(20_000);
      const requestsTtl = await first.pTTL(
        `${DEFAULT_LIMIT_KEY_PREFIX}requests:${encoded('alice')}`,
      );
      expect(requestsTtl).toBeGreaterThan(0);
      expect(requestsTtl).toBeLessThanOrEqual(REQUEST_WINDOW_MS);
      const tokensKey = `${DEFAULT_LIMIT_KEY_PREFIX}tokens:${encoded('alice')}:${utcDay(now)}`;
      const tokensTtl = await first.pTTL(tokensKey);
      expect(tokensTtl).toBeGreaterThan(TOKENS_KEPT_AFTER_DAY_MS);
      expect(tokensTtl).toBeLessThanOrEqual(msUntilUtcMidnight(now) + TOKENS_KEPT_AFTER_DAY_MS);
    });

    it('drops the key of slots whose leases all ran out', async () => {
      const store = new RedisLimitStore(first);
      await store.acquireSlot('alice', 1, 50);
      await new Promise((done) => setTimeout(done, 100));
      expect(await first.exists(`${DEFAULT_LIMIT_KEY_PREFIX}slots:${encoded('alice')}`)).toBe(0);
    });
  });

  describe('scripts', () => {
    it('sends a script again when the server no longer has it', async () => {
      const store = new RedisLimitStore(first);
      await store.addTokens('alice', 1);
      await first.scriptFlush();
      await store.addTokens('alice', 1);
      expect(await store.tokensToday('alice')).toBe(2);
    });

    it('admits, and reads where the limits stand, in one command', async () => {
      const calls: string[] = [];
      const counted: LimitRedisClient = {
        eval: (...args) => (calls.push('eval'), first.eval(...args)),
        evalSha: (...args) => (calls.push('evalSha'), first.evalSha(...args)),
        zRem: (...args) => (calls.push('zRem'), first.zRem(...args)),
      };
      const store = new RedisLimitStore(counted);
      const limits = { tokensPerDay: 100, concurrentStreams: 2, requestsPerMinute: 3 };
      await store.admit('alice', limits, LEASE_MS);
      calls.length = 0;
      const admission = await store.admit('alice', limits, LEASE_MS);
      expect(calls).toEqual(['evalSha']);
      expect(admission.standing).toMatchObject({
        requests: { remaining: 1 },
        tokens: { remaining: 100 },
      });
    });

    it("says when the day ends by the server's clock, not the instance's", async () => {
      const store = new RedisLimitStore(first);
      const limits = { tokensPerDay: 100, concurrentStreams: 0, requestsPerMinute: 0 };
      const untilMidnight = msUntilUtcMidnight(Date.now());
      const skewed = jest.spyOn(Date, 'now').mockImplementation(() => 3 * 86_400_000 + 1_000);
      try {
        const { standing } = await store.admit('alice', limits, LEASE_MS);
        expect(Math.abs((standing.tokens?.resetMs ?? 0) - untilMidnight)).toBeLessThan(2_000);
      } finally {
        skewed.mockRestore();
      }
    });

    it("counts by the server's clock, not the instance's", async () => {
      const store = new RedisLimitStore(first);
      const serverDay = utcDay(Date.now());
      const skewed = jest.spyOn(Date, 'now').mockImplementation(() => 3 * 86_400_000);
      try {
        await store.addTokens('alice', 5);
        expect(await store.tokensToday('alice')).toBe(5);
      } finally {
        skewed.mockRestore();
      }
      const counter = `${DEFAULT_LIMIT_KEY_PREFIX}tokens:${encoded('alice')}:${serverDay}`;
      expect(await first.get(counter)).toBe('5');
    });
  });
});

describe('RedisLimitStore with a Redis that stops answering', () => {
  let server: RedisServer;
  let client: RedisClient;
  let pid: number;

  beforeAll(async () => {
    server = await startRedis();
    client = await connect(server.url);
    pid = Number(/process_id:(\d+)/.exec(await client.info('server'))?.[1]);
  });

  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  it('gives up on an admission after the command timeout, and gives back the slot it takes late', async () => {
    const store = new RedisLimitStore(client, { commandTimeoutMs: 200 });
    const limits = { tokensPerDay: 0, concurrentStreams: 1, requestsPerMinute: 10 };
    // Connected but frozen: the command is written and never answered.
    process.kill(pid, 'SIGSTOP');
    try {
      const started = Date.now();
      await expect(store.admit('alice', limits, LEASE_MS)).rejects.toBeInstanceOf(
        RedisCommandTimeoutError,
      );
      // 200 ms and whatever a busy machine adds.
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    // Awake, Redis runs the script after all: the request is counted, and the slot given back.
    const requests = `${DEFAULT_LIMIT_KEY_PREFIX}requests:${encoded('alice')}`;
    const deadline = Date.now() + 5_000;
    while ((await client.zCard(requests)) === 0 && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 20));
    }
    expect(await client.zCard(requests)).toBe(1);
    await new Promise((done) => setTimeout(done, 100));
    expect(await store.activeSlots('alice')).toBe(0);
    expect(await store.admit('alice', limits, LEASE_MS)).toMatchObject({ ok: true });
  });
});

/** A principal id as the store's keys hold it. */
function encoded(principal: string): string {
  return Buffer.from(principal, 'utf8').toString('base64url');
}
