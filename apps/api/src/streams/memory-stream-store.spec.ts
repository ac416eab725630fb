import type { StreamFrame } from '@tokenstream/stream-contracts';
import { encodeFrameBatch } from './frame-batch-encoder';
import { MemoryStreamStore } from './memory-stream-store';
import { describeStreamStore } from './stream-store.contract';
import { StoreFullError, type StoredFrame, type StreamStoreLimits } from './stream-store';

const start: StreamFrame = { type: 'start', streamId: 's', model: 'm' };
const delta = (text: string): StreamFrame => ({ type: 'text-delta', delta: text });
const finish: StreamFrame = { type: 'finish', finishReason: 'stop' };

describeStreamStore(
  'MemoryStreamStore',
  async (limits) => new MemoryStreamStore(limits),
  (store) => (store as MemoryStreamStore).onModuleDestroy(),
);

/** What only this store does: it knows who reads a stream, so it never evicts one being read. */
describe('MemoryStreamStore', () => {
  let clock: { now: number };
  const stores: MemoryStreamStore[] = [];
  const storeAt = (limits: Partial<StreamStoreLimits> = {}) => {
    const store = new MemoryStreamStore(
      { retentionMs: 60_000, maxStreamBytes: 1_000, maxStoreBytes: 3_000, ...limits },
      () => clock.now,
    );
    stores.push(store);
    return store;
  };
  const text = 'x'.repeat(400);

  async function fill(
    store: MemoryStreamStore,
    streamId: string,
    deltas: string[],
    finished = true,
  ) {
    await store.create({ streamId, model: 'm', owner: 'owner' });
    await store.append(streamId, [start, ...deltas.map(delta), ...(finished ? [finish] : [])]);
  }

  beforeEach(() => {
    clock = { now: 1_000 };
  });
  afterEach(() => stores.splice(0).forEach((store) => store.onModuleDestroy()));

  it('makes room by evicting the oldest finished streams nobody reads', async () => {
    const store = storeAt();
    await fill(store, 'old', [text, text]);
    clock.now += 1;
    await fill(store, 'read', [text, text]);
    clock.now += 1;
    await fill(store, 'newer', [text, text]);
    const unwatch = store.watch('read', () => undefined);
    await fill(store, 'running', [text], false);
    await fill(store, 'next', [text], false);
    expect(await store.info('old')).toBeUndefined();
    expect((await store.info('read'))?.state).toBe('finished');
    expect((await store.usage()).reservedBytes).toBeLessThanOrEqual(3_000);
    // The reader of `read` pins it: with nothing else to evict there is no room.
    expect(await store.info('newer')).toBeUndefined();
    await expect(store.create({ streamId: 'third', model: 'm', owner: 'o' })).rejects.toThrow(
      StoreFullError,
    );
    expect((await store.info('read'))?.state).toBe('finished');
    unwatch();
  });

  it("never evicts a stream at its own last frame (its readers get the end, not 'not found')", async () => {
    const store = storeAt();
    for (const id of ['a', 'b', 'c']) await fill(store, id, [text, text], false);
    for (const id of ['a', 'b', 'c']) {
      await store.append(id, [finish]);
      expect((await store.read(id, 0))?.at(-1)?.frame).toEqual(finish);
    }
  });

  it('keeps a finished stream past its retention while a reader reads it', async () => {
    const store = storeAt({ retentionMs: 1_000 });
    await fill(store, 'a', ['x']);
    const unwatch = store.watch('a', () => undefined);
    clock.now += 5_000;
    expect(await store.read('a', 0)).toHaveLength(3);
    unwatch();
    expect(await store.info('a')).toBeUndefined();
  });

  describe('on the hot path', () => {
    const noEvents = { onOverLimit: () => undefined, onLost: () => undefined };

    it("stores a writer's frame and hands it to the watchers before `write` returns", async () => {
      const store = storeAt();
      await store.create({ streamId: 'a', model: 'm', owner: 'owner' });
      const handed: (readonly StoredFrame[] | undefined)[] = [];
      const unwatch = store.watch('a', (appended) => handed.push(appended));
      const writer = store.writer('a', noEvents);
      writer.write(start);
      writer.write(delta('x'));
      // No await between the writes and this: each was stored, and handed over, within `write`.
      expect(handed.map((frames) => frames?.map((f) => [f.seq, f.frame]))).toEqual([
        [[1, start]],
        [[2, delta('x')]],
      ]);
      writer.write(finish);
      expect(handed).toHaveLength(3);
      expect(await store.info('a')).toMatchObject({ state: 'finished', lastSeq: 3 });
      await expect(writer.flushed()).resolves.toBeUndefined();
      unwatch();
    });

    it('hands watchers the very frames it reads back, an append at a time', async () => {
      const store = storeAt();
      await store.create({ streamId: 'a', model: 'm', owner: 'owner' });
      const handed: (readonly StoredFrame[] | undefined)[] = [];
      const unwatch = store.watch('a', (appended) => handed.push(appended));
      await store.append('a', [start, delta('x')]);
      await store.append('a', [delta('y')]);
      const stored = (await store.read('a', 0)) ?? [];
      expect(handed).toEqual([stored.slice(0, 2), stored.slice(2)]);
      // The same objects, not copies: what one reader makes of a frame (its event) serves all.
      expect(handed.flatMap((frames) => frames ?? [])).toEqual(stored);
      handed.flatMap((frames) => frames ?? []).forEach((f, i) => expect(f).toBe(stored[i]));
      unwatch();
    });

    it('keeps a finished stream at the size it counts: the events its readers encoded go', async () => {
      const store = storeAt();
      await store.create({ streamId: 'a', model: 'm', owner: 'owner' });
      const writer = store.writer('a', noEvents);
      writer.write(start);
      writer.write(delta('x'));
      const live = (await store.read('a', 0)) ?? [];
      const sent = encodeFrameBatch(live).toString();
      expect(live.every((frame) => frame.sse !== undefined)).toBe(true);
      writer.write(finish);
      const kept = (await store.read('a', 0)) ?? [];
      expect(kept.map((frame) => frame.sse)).toEqual([undefined, undefined, undefined]);
      // A reader that comes back is sent the same bytes, made again.
      expect(encodeFrameBatch(kept.slice(0, 2)).toString()).toBe(sent);
    });

    it('stores a frame and wakes the other watchers although one watcher throws', async () => {
      const store = storeAt();
      await store.create({ streamId: 'a', model: 'm', owner: 'owner' });
      const lost: unknown[] = [];
      const unwatchBroken = store.watch('a', () => {
        throw new Error('a reader failed');
      });
      const handed: number[] = [];
      const unwatch = store.watch('a', (appended) =>
        handed.push(...(appended ?? []).map((f) => f.seq)),
      );
      const writer = store.writer('a', {
        onOverLimit: () => undefined,
        onLost: (e) => lost.push(e),
      });
      writer.write(start);
      writer.write(delta('x'));
      expect(handed).toEqual([1, 2]);
      expect(lost).toEqual([]);
      expect(await store.append('a', [finish])).toEqual({ lastSeq: 3, overLimit: false });
      unwatchBroken();
      unwatch();
    });
  });

  it('is refused smaller than one stream at its limit', () => {
    expect(() => storeAt({ maxStreamBytes: 2_000, maxStoreBytes: 1_000 })).toThrow(
      /at least one stream/,
    );
  });
});
