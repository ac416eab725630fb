import type { StreamFrame } from '@tokenstream/stream-contracts';
import { MemoryStreamStore } from './memory-stream-store';
import { StoreFullError } from './stream-store';

const start: StreamFrame = { type: 'start', streamId: 's', model: 'm' };
const delta = (text: string): StreamFrame => ({ type: 'text-delta', delta: text });
const finish: StreamFrame = { type: 'finish', finishReason: 'stop' };

function storeAt(
  clock: { now: number },
  limits: Partial<ConstructorParameters<typeof MemoryStreamStore>[0]> = {},
) {
  return new MemoryStreamStore(
    { retentionMs: 60_000, maxStreamBytes: 10_000, maxStoreBytes: 100_000, ...limits },
    () => clock.now,
  );
}

function fill(store: MemoryStreamStore, streamId: string, deltas: string[], finished = true) {
  store.create(streamId, 'm', 'owner');
  store.append(streamId, start);
  for (const text of deltas) store.append(streamId, delta(text));
  if (finished) store.append(streamId, finish);
}

describe('MemoryStreamStore', () => {
  let clock: { now: number };
  let store: MemoryStreamStore;
  beforeEach(() => {
    clock = { now: 1_000 };
    store = storeAt(clock);
  });
  afterEach(() => store.onModuleDestroy());

  it('numbers frames from 1, keeps each as JSON once, and reads from any position', () => {
    fill(store, 'a', ['x', 'y']);
    expect(store.read('a', 0)?.map((f) => f.seq)).toEqual([1, 2, 3, 4]);
    expect(store.read('a', 2)).toEqual([
      { seq: 3, frame: delta('y'), json: JSON.stringify(delta('y')) },
      { seq: 4, frame: finish, json: JSON.stringify(finish) },
    ]);
    expect(store.read('a', 4)).toEqual([]);
    expect(store.info('a')).toMatchObject({ state: 'finished', lastSeq: 4, model: 'm' });
  });

  it('tells watchers about every append, and stops when they unsubscribe', () => {
    store.create('a', 'm', 'owner');
    let calls = 0;
    const unwatch = store.watch('a', () => calls++);
    store.append('a', start);
    store.append('a', delta('x'));
    unwatch();
    store.append('a', finish);
    expect(calls).toBe(2);
  });

  it('refuses frames after the last one', () => {
    fill(store, 'a', []);
    expect(() => store.append('a', delta('late'))).toThrow(/finished/);
  });

  it('keeps a finished stream for the retention time, then forgets it', () => {
    fill(store, 'a', ['x']);
    clock.now += 59_999;
    expect(store.read('a', 0)).toHaveLength(3);
    clock.now += 1;
    expect(store.read('a', 0)).toBeUndefined();
    expect(store.info('a')).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('never expires a stream that is still running', () => {
    fill(store, 'a', ['x'], false);
    clock.now += 10 * 60_000;
    expect(store.info('a')?.state).toBe('running');
  });

  describe('its byte budget', () => {
    // Room for three streams at their size limit of 1,000 bytes.
    const budget = () => storeAt(clock, { maxStreamBytes: 1_000, maxStoreBytes: 3_000 });
    const text = 'x'.repeat(400);

    it('counts a running stream at its size limit, a finished one at its size', () => {
      const small = budget();
      fill(small, 'running', ['x'], false);
      fill(small, 'done', [text]);
      const usage = small.usage();
      const bytesOf = (id: string) =>
        small.read(id, 0)!.reduce((sum, stored) => sum + JSON.stringify(stored.frame).length, 0);
      expect(usage.bytes).toBe(bytesOf('running') + bytesOf('done'));
      expect(usage.reservedBytes).toBe(1_000 + bytesOf('done'));
      small.onModuleDestroy();
    });

    it('refuses a new stream that could not grow to its limit, evicting nothing running', () => {
      const small = budget();
      for (const id of ['a', 'b', 'c']) fill(small, id, [text], false);
      expect(() => small.create('d', 'm', 'owner')).toThrow(StoreFullError);
      expect(['a', 'b', 'c'].map((id) => small.info(id)?.state)).toEqual([
        'running',
        'running',
        'running',
      ]);
      small.append('a', finish);
      // Finished and unread, `a` is what goes to make room; the running ones stay.
      expect(() => small.create('d', 'm', 'owner')).not.toThrow();
      expect(small.info('a')).toBeUndefined();
      expect(['b', 'c', 'd'].map((id) => small.info(id)?.state)).toEqual([
        'running',
        'running',
        'running',
      ]);
      expect(small.usage().reservedBytes).toBeLessThanOrEqual(3_000);
      small.onModuleDestroy();
    });

    it('makes room by evicting the oldest finished streams nobody reads', () => {
      const small = budget();
      fill(small, 'old', [text, text]);
      clock.now += 1;
      fill(small, 'read', [text, text]);
      clock.now += 1;
      fill(small, 'newer', [text, text]);
      const unwatch = small.watch('read', () => undefined);
      fill(small, 'running', [text], false);
      fill(small, 'next', [text], false);
      expect(small.info('old')).toBeUndefined();
      expect(small.info('read')?.state).toBe('finished');
      expect(small.usage().reservedBytes).toBeLessThanOrEqual(3_000);
      // The reader of `read` pins it: with nothing else to evict there is no room.
      expect(small.info('newer')).toBeUndefined();
      expect(() => small.create('third', 'm', 'owner')).toThrow(StoreFullError);
      expect(small.info('read')?.state).toBe('finished');
      unwatch();
      small.onModuleDestroy();
    });

    it("never evicts a stream at its own last frame (its readers get the end, not 'not found')", () => {
      const small = budget();
      fill(small, 'a', [text, text], false);
      fill(small, 'b', [text, text], false);
      fill(small, 'c', [text, text], false);
      for (const id of ['a', 'b', 'c']) {
        small.append(id, finish);
        expect(small.read(id, 0)?.at(-1)?.frame).toEqual(finish);
      }
      small.onModuleDestroy();
    });

    it('is refused smaller than one stream at its limit', () => {
      expect(() => storeAt(clock, { maxStreamBytes: 2_000, maxStoreBytes: 1_000 })).toThrow(
        /at least one stream/,
      );
    });

    it('keeps a finished stream past its retention while a reader reads it', () => {
      const small = storeAt(clock, { retentionMs: 1_000 });
      fill(small, 'a', ['x']);
      const unwatch = small.watch('a', () => undefined);
      clock.now += 5_000;
      expect(small.read('a', 0)).toHaveLength(3);
      unwatch();
      expect(small.info('a')).toBeUndefined();
      small.onModuleDestroy();
    });
  });

  it('says when one stream passes its own size limit', () => {
    const small = storeAt(clock, { maxStreamBytes: 200 });
    small.create('a', 'm', 'owner');
    small.append('a', start);
    let overLimit = false;
    let appended = 0;
    while (!overLimit && appended < 100) {
      overLimit = small.append('a', delta('0123456789')).overLimit;
      appended += 1;
    }
    expect(overLimit).toBe(true);
    expect(appended).toBeLessThan(10);
    small.onModuleDestroy();
  });

  it('holds memory within its bound however many streams finish', () => {
    const bounded = storeAt(clock, { maxStoreBytes: 50_000 });
    for (let i = 0; i < 2_000; i++) fill(bounded, `s${i}`, ['some text of a reply', 'and more']);
    expect(bounded.size).toBeLessThanOrEqual(50_000);
    expect(bounded.streamCount).toBeLessThan(2_000);
    expect(bounded.info('s1999')?.state).toBe('finished');
    bounded.onModuleDestroy();
  });
});
