import { startRedis, type RedisServer } from '@tokenstream/e2e-support';
import type { StreamFrame } from '@tokenstream/stream-contracts';
import { createClient } from 'redis';
import { RedisCommandTimeoutError } from '../redis/redis-command-timeout';
import { DEFAULT_STREAM_KEY_PREFIX, RedisStreamStore } from './redis-stream-store';
import { describeStreamStore } from './stream-store.contract';
import { StoreFullError, StreamClosedError, type StreamStoreLimits } from './stream-store';

/** A connected client, as an api instance holds one; `name` tells its connections apart. */
function connect(url: string, name?: string) {
  return createClient({ url, name }).connect();
}

type RedisClient = Awaited<ReturnType<typeof connect>>;

/** Room for 1,000 streams at their size limit: more than any test opens. */
const LIMITS: StreamStoreLimits = {
  retentionMs: 60_000,
  maxStreamBytes: 10_000,
  maxStoreBytes: 10_000_000,
};

const start = (streamId: string): StreamFrame => ({ type: 'start', streamId, model: 'm' });
const delta = (text: string): StreamFrame => ({ type: 'text-delta', delta: text });
const finish: StreamFrame = { type: 'finish', finishReason: 'stop' };

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** Waits until `check` holds, polling, for at most `ms`; the error says what was seen last. */
async function until(check: () => boolean | Promise<boolean>, seen: () => unknown, ms = 3_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`not within ${ms} ms; seen: ${JSON.stringify(seen())}`);
    }
    await sleep(10);
  }
}

/**
 * A reader that reads what is there, then watches, and reads on at every change until the last
 * frame: the order that leaves a gap between its read and its watch, which the store must cover.
 * Resolves once it watches.
 */
async function follow(store: RedisStreamStore, streamId: string) {
  const frames: { seq: number; type: string }[] = [];
  let ended = false;
  let reading = Promise.resolve();
  const readOn = () => {
    reading = reading.then(async () => {
      if (ended) return;
      const next = (await store.read(streamId, frames.at(-1)?.seq ?? 0)) ?? [];
      for (const { seq, frame } of next) frames.push({ seq, type: frame.type });
      if (next.some(({ frame }) => frame.type === 'finish')) ended = true;
    });
  };
  readOn();
  await reading;
  const unwatch = store.watch(streamId, readOn);
  return {
    frames,
    ended: () => ended,
    stop: async () => {
      unwatch();
      await reading;
    },
  };
}

/** The clients connected to `client`'s server under `name`. */
async function connectionsNamed(client: RedisClient, name: string) {
  return (await client.clientList()).filter((info) => info.name === name);
}

/**
 * The connection a store on a client named `name` follows streams on, once it blocks in an XREAD
 * and the server knows of no other (a closed store's may linger a moment).
 */
async function blockedTail(client: RedisClient, name: string) {
  let tail: Awaited<ReturnType<typeof connectionsNamed>>[number] | undefined;
  await until(
    async () => {
      const connections = await connectionsNamed(client, name);
      const reading = connections.filter(
        (info) => info.cmd === 'xread' && info.flags.includes('b'),
      );
      tail = connections.length === 2 && reading.length === 1 ? reading[0] : undefined;
      return tail !== undefined;
    },
    () => `no XREAD blocked for ${name}`,
  );
  return tail;
}

describe('RedisStreamStore', () => {
  let server: RedisServer;
  /** Two connections, as two api instances would hold. */
  let first: RedisClient;
  let second: RedisClient;
  const stores: RedisStreamStore[] = [];
  const storeOn = (
    client: RedisClient,
    limits: Partial<StreamStoreLimits> = {},
    prefix?: string,
  ) => {
    const store = new RedisStreamStore(client, { ...LIMITS, ...limits }, { prefix });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    server = await startRedis();
    [first, second] = await Promise.all([
      connect(server.url, 'instance-a'),
      connect(server.url, 'instance-b'),
    ]);
  });

  afterAll(async () => {
    await Promise.all([first?.close(), second?.close()]);
    await server?.stop();
  });

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });

  describeStreamStore(
    'RedisStreamStore',
    async (limits) => {
      await first.flushAll();
      return new RedisStreamStore(first, limits);
    },
    (store) => (store as RedisStreamStore).close(),
  );

  describe('shared by instances', () => {
    beforeEach(async () => {
      await first.flushAll();
    });

    it('lets one instance read and follow a stream another writes', async () => {
      const a = storeOn(first);
      const b = storeOn(second);
      await a.create({ streamId: 's', model: 'm', owner: 'alice' });
      await a.append('s', [start('s')]);
      const reader = await follow(b, 's');
      await a.append('s', [delta('x'), delta('y')]);
      await a.append('s', [finish]);
      await until(reader.ended, () => reader.frames);
      await reader.stop();
      expect(reader.frames).toEqual([
        { seq: 1, type: 'start' },
        { seq: 2, type: 'text-delta' },
        { seq: 3, type: 'text-delta' },
        { seq: 4, type: 'finish' },
      ]);
      expect(await b.info('s')).toMatchObject({ state: 'finished', lastSeq: 4, owner: 'alice' });
    });

    it('misses no frame of streams whose watch starts while another instance appends', async () => {
      const a = storeOn(first);
      const b = storeOn(second);
      const readers: Awaited<ReturnType<typeof follow>>[] = [];
      for (let i = 0; i < 50; i++) {
        const id = `s${i}`;
        await a.create({ streamId: id, model: 'm', owner: 'alice' });
        await a.append(id, [start(id), delta('x')]);
        // The last frame lands a little later each time: before the reader's first read, between
        // it and its watch, or after, with no frame following that would wake a late watcher.
        const appending = (async () => {
          for (let tick = 0; tick < i % 10; tick++) await new Promise(setImmediate);
          await a.append(id, [finish]);
        })();
        readers.push(await follow(b, id));
        await appending;
      }
      await until(
        () => readers.every((reader) => reader.ended()),
        () => readers.filter((reader) => !reader.ended()).map((reader) => reader.frames),
      );
      for (const reader of readers) {
        await reader.stop();
        expect(reader.frames.map((frame) => frame.seq)).toEqual([1, 2, 3]);
      }
    });

    it('follows many streams on one connection of its own', async () => {
      const a = storeOn(first);
      const b = storeOn(second);
      const ids = Array.from({ length: 200 }, (_, i) => `s${i}`);
      for (const id of ids) await a.create({ streamId: id, model: 'm', owner: 'alice' });
      const told = new Map<string, number>();
      const unwatch = ids.map((id) => b.watch(id, () => told.set(id, (told.get(id) ?? 0) + 1)));
      // Every watcher is called once when its stream is followed; then once more per append.
      await until(
        () => told.size === ids.length,
        () => told.size,
      );
      const before = new Map(told);
      for (const id of ids) await a.append(id, [start(id)]);
      await until(
        () => ids.every((id) => (told.get(id) ?? 0) > (before.get(id) ?? 0)),
        () => ids.filter((id) => told.get(id) === before.get(id)),
      );
      // Its main connection and the one it follows all of them on (the duplicate keeps the name).
      expect(await blockedTail(first, 'instance-b')).toBeDefined();
      unwatch.forEach((stop) => stop());
    });

    it('takes up a stream first watched while it waits on others, without waiting out its XREAD', async () => {
      const a = storeOn(first);
      const b = storeOn(second);
      for (const id of ['old', 'new']) await a.create({ streamId: id, model: 'm', owner: 'alice' });
      b.watch('old', () => undefined);
      await blockedTail(first, 'instance-b');
      let told = 0;
      b.watch('new', () => told++);
      await until(
        () => told === 1,
        () => told,
      );
      await a.append('new', [start('new')]);
      // Well within the XREAD's second, which would otherwise run out first.
      await until(
        () => told === 2,
        () => told,
        500,
      );
    });

    it('admits from two instances racing exactly as many streams as fit', async () => {
      // Room for five streams at their size limit.
      const budget = { maxStreamBytes: 1_000, maxStoreBytes: 5_000 };
      const instances = [storeOn(first, budget), storeOn(second, budget)];
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          instances[i % 2].create({ streamId: `s${i}`, model: 'm', owner: 'alice' }),
        ),
      );
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(5);
      for (const result of results) {
        if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(StoreFullError);
      }
      expect(await instances[1].usage()).toEqual({
        streams: 5,
        bytes: 0,
        reservedBytes: 5_000,
        maxBytes: 5_000,
      });
    });

    it('takes exactly one last frame from two instances racing to end a stream', async () => {
      const a = storeOn(first);
      const b = storeOn(second);
      await a.create({ streamId: 's', model: 'm', owner: 'alice' });
      await a.append('s', [start('s')]);
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).append('s', [finish])),
      );
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      for (const result of results) {
        if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(StreamClosedError);
      }
      expect((await b.read('s', 0))?.map((frame) => frame.seq)).toEqual([1, 2]);
    });

    it('refuses a stream id already in use, from any instance', async () => {
      await storeOn(first).create({ streamId: 's', model: 'm', owner: 'alice' });
      await expect(
        storeOn(second).create({ streamId: 's', model: 'other', owner: 'bob' }),
      ).rejects.toThrow(/exists already/);
      expect(await storeOn(second).info('s')).toMatchObject({ model: 'm', owner: 'alice' });
    });
  });

  describe('leases: generations have owners', () => {
    const LEASE_MS = 300;
    const leased = (client: RedisClient, instanceId: string) => {
      const store = new RedisStreamStore(client, LIMITS, {
        instanceId,
        leaseMs: LEASE_MS,
        readersNoteMs: LEASE_MS,
      });
      stores.push(store);
      return store;
    };
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    beforeEach(async () => {
      await first.flushAll();
    });

    it('ends a stream whose instance stopped beating with generation_lost, its text kept', async () => {
      const dead = leased(first, 'dead');
      const alive = leased(second, 'alive');
      await dead.create({ streamId: 's', model: 'm', owner: 'alice' });
      await dead.append('s', [start('s'), delta('so far')]);
      // `dead` never beats again; `alive` beats for its own (no) streams.
      expect(await alive.heartbeat({ generating: [], reading: [] })).toEqual({
        endedElsewhere: [],
        readElsewhere: [],
      });
      expect((await alive.info('s'))?.state).toBe('running');
      await sleep(LEASE_MS + 50);
      await alive.heartbeat({ generating: [], reading: [] });
      const frames = (await alive.read('s', 0))?.map((f) => f.frame);
      expect(frames).toEqual([
        start('s'),
        delta('so far'),
        expect.objectContaining({ type: 'error', code: 'generation_lost', retryable: true }),
      ]);
      // Its reservation went with it: only what it holds counts now.
      const usage = await alive.usage();
      expect(usage.reservedBytes).toBe(usage.bytes);
      // The instance that comes back hears that its stream was ended.
      expect(await dead.heartbeat({ generating: ['s'], reading: [] })).toEqual({
        endedElsewhere: ['s'],
        readElsewhere: [],
      });
    });

    it('keeps a stream whose instance beats running past the lease time', async () => {
      const owner = leased(first, 'owner');
      const other = leased(second, 'other');
      await owner.create({ streamId: 's', model: 'm', owner: 'alice' });
      for (let i = 0; i < 6; i++) {
        await sleep(LEASE_MS / 3);
        await owner.heartbeat({ generating: ['s'], reading: [] });
        await other.heartbeat({ generating: [], reading: [] });
      }
      expect((await other.info('s'))?.state).toBe('running');
    });

    it('tells the generating instance of a stop written on another, and of readers there', async () => {
      const owner = leased(first, 'owner');
      const other = leased(second, 'other');
      await owner.create({ streamId: 'read', model: 'm', owner: 'alice' });
      await owner.create({ streamId: 'stopped', model: 'm', owner: 'alice' });
      await other.heartbeat({ generating: [], reading: ['read'] });
      await other.append('stopped', [{ type: 'finish', finishReason: 'cancelled' }]);
      expect(await owner.heartbeat({ generating: ['read', 'stopped'], reading: ['read'] })).toEqual(
        { endedElsewhere: ['stopped'], readElsewhere: ['read'] },
      );
      // Its own readers do not count as elsewhere, and a note of readers runs out.
      await sleep(LEASE_MS + 50);
      expect(await owner.heartbeat({ generating: ['read'], reading: ['read'] })).toEqual({
        endedElsewhere: [],
        readElsewhere: [],
      });
    });
  });

  it('says its data began again when Redis comes back empty', async () => {
    await first.flushAll();
    const store = storeOn(first);
    const since = await store.heldSince();
    await store.create({ streamId: 's', model: 'm', owner: 'alice' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await first.flushAll(); // what a restart without persistence leaves
    expect(await store.heldSince()).toBeGreaterThan(since);
  });

  describe('keys', () => {
    beforeEach(async () => {
      await first.flushAll();
    });

    it('gives both keys of a finished stream the retention as their TTL, none while it runs', async () => {
      const store = storeOn(first, { retentionMs: 30_000 });
      await store.create({ streamId: 's', model: 'm', owner: 'alice' });
      await store.append('s', [start('s')]);
      const keys = [`${DEFAULT_STREAM_KEY_PREFIX}info:s`, `${DEFAULT_STREAM_KEY_PREFIX}frames:s`];
      expect(await Promise.all(keys.map((key) => first.pTTL(key)))).toEqual([-1, -1]);
      await store.append('s', [finish]);
      for (const ttl of await Promise.all(keys.map((key) => first.pTTL(key)))) {
        expect(ttl).toBeGreaterThan(29_000);
        expect(ttl).toBeLessThanOrEqual(30_000);
      }
    });

    it('keeps every key under its prefix', async () => {
      const store = storeOn(first, { retentionMs: 30_000 }, 'test:');
      for (const id of ['a', 'b:c', 'ключ-🔑']) {
        await store.create({ streamId: id, model: 'm', owner: 'alice' });
        await store.append(id, [start(id), finish]);
        expect((await store.read(id, 0))?.map((frame) => frame.frame)).toEqual([start(id), finish]);
      }
      await store.create({ streamId: 'running', model: 'm', owner: 'alice' });
      const keys = await first.keys('*');
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) expect(key).toMatch(/^test:/);
    });

    it('deletes the keys of the streams it evicts, and forgets them in its totals', async () => {
      const store = storeOn(first, { maxStreamBytes: 1_000, maxStoreBytes: 2_000 });
      await store.create({ streamId: 'old', model: 'm', owner: 'alice' });
      await store.append('old', [start('old'), delta('x'.repeat(900)), finish]);
      await store.create({ streamId: 'running', model: 'm', owner: 'alice' });
      await store.create({ streamId: 'new', model: 'm', owner: 'alice' });
      expect(await first.keys(`${DEFAULT_STREAM_KEY_PREFIX}*:old`)).toEqual([]);
      const frames = (await store.read('new', 0)) ?? [];
      expect(frames).toEqual([]);
      expect(await store.usage()).toEqual({
        streams: 2,
        bytes: 0,
        reservedBytes: 2_000,
        maxBytes: 2_000,
      });
    });

    it('sends a script again when the server no longer has it', async () => {
      const store = storeOn(first);
      await store.create({ streamId: 's', model: 'm', owner: 'alice' });
      await first.scriptFlush();
      expect(await store.append('s', [start('s')])).toEqual({ lastSeq: 1, overLimit: false });
    });
  });

  describe('appends', () => {
    beforeEach(async () => {
      await first.flushAll();
    });

    it('sends the appends of one turn to Redis together, a script per 50 streams', async () => {
      const store = storeOn(first);
      const ids = Array.from({ length: 120 }, (_, i) => `s${i}`);
      for (const id of ids) await store.create({ streamId: id, model: 'm', owner: 'alice' });
      // The server knows the script from here on: no NOSCRIPT round trip in what is counted.
      await store.append('s0', [start('s0')]);
      await first.configResetStat();
      const results = await Promise.all(ids.map((id) => store.append(id, [delta(id)])));
      expect(results.map(({ lastSeq }) => lastSeq)).toEqual(ids.map((id) => (id === 's0' ? 2 : 1)));
      const stats = await first.info('commandstats');
      expect(/cmdstat_evalsha:calls=(\d+)/.exec(stats)?.[1]).toBe('3');
    });
  });

  describe('close', () => {
    it('closes the connection it follows streams on, and leaves the main one open', async () => {
      await first.flushAll();
      const store = new RedisStreamStore(second, LIMITS);
      await store.create({ streamId: 's', model: 'm', owner: 'alice' });
      let told = 0;
      store.watch('s', () => told++);
      await until(
        () => told > 0,
        () => told,
      );
      expect(await blockedTail(first, 'instance-b')).toBeDefined();
      await store.close();
      // The server sees the socket close a moment after the store has let go of it.
      await until(
        async () => (await connectionsNamed(first, 'instance-b')).length === 1,
        () => 'the tail connection still open',
      );
      store.watch('s', () => told++);
      await storeOn(first).append('s', [start('s')]);
      await sleep(100);
      expect(told).toBe(1);
      expect(await store.info('s')).toMatchObject({ lastSeq: 1 });
    });
  });
});

describe('RedisStreamStore with a Redis that stops answering', () => {
  let server: RedisServer;
  let client: RedisClient;
  let other: RedisClient;
  let pid: number;
  const stores: RedisStreamStore[] = [];

  beforeAll(async () => {
    server = await startRedis();
    [client, other] = await Promise.all([connect(server.url, 'store'), connect(server.url)]);
    pid = Number(/process_id:(\d+)/.exec(await client.info('server'))?.[1]);
  });

  afterAll(async () => {
    await Promise.all([client?.close(), other?.close()]);
    await server?.stop();
  });

  beforeEach(async () => {
    await client.flushAll();
  });

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });

  const storeOn = (on: RedisClient) => {
    const store = new RedisStreamStore(on, LIMITS, { commandTimeoutMs: 200 });
    stores.push(store);
    return store;
  };

  /** Runs `during` with the server frozen: connected, it takes commands and never answers. */
  async function frozen(during: () => Promise<void>): Promise<void> {
    process.kill(pid, 'SIGSTOP');
    try {
      await during();
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  }

  it('fails reads and appends after the command timeout rather than hang', async () => {
    const store = storeOn(client);
    await store.create({ streamId: 's', model: 'm', owner: 'alice' });
    await frozen(async () => {
      const started = Date.now();
      const calls = [store.read('s', 0), store.append('s', [start('s')]), store.info('s')];
      // Each awaited from the start: an append is sent at the end of the turn, so it gives up a
      // little after the others, and which one does first is not the point.
      await Promise.all(
        calls.map((call) => expect(call).rejects.toBeInstanceOf(RedisCommandTimeoutError)),
      );
      // 200 ms and whatever a busy machine adds.
      expect(Date.now() - started).toBeLessThan(3_000);
    });
  });

  it('tells its watchers again once a frozen Redis answers, and follows on', async () => {
    const store = storeOn(client);
    const writer = storeOn(other);
    await writer.create({ streamId: 's', model: 'm', owner: 'alice' });
    let told = 0;
    store.watch('s', () => told++);
    await until(
      () => told === 1,
      () => told,
    );
    // Frozen longer than an XREAD may take: the tail gives up on its connection.
    await frozen(() => sleep(1_500));
    await until(
      () => told === 2,
      () => told,
    );
    await writer.append('s', [start('s')]);
    await until(
      () => told === 3,
      () => told,
    );
  });

  it('follows on when its connection is killed', async () => {
    const store = storeOn(client);
    const writer = storeOn(other);
    await writer.create({ streamId: 's', model: 'm', owner: 'alice' });
    let told = 0;
    store.watch('s', () => told++);
    await until(
      () => told === 1,
      () => told,
    );
    const tail = await blockedTail(other, 'store');
    await other.clientKill({ filter: 'ID', id: Number(tail?.id) });
    // Back on a new connection, it tells its watchers once, then follows on.
    await until(
      () => told === 2,
      () => told,
    );
    await writer.append('s', [start('s')]);
    await until(
      () => told === 3,
      () => told,
    );
    expect(await blockedTail(other, 'store')).not.toMatchObject({ id: tail?.id });
  });
});
