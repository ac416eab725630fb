import type { StreamFrame } from '@tokenstream/stream-contracts';
import { MemoryStreamStore } from './memory-stream-store';

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

  it('numbers frames from 1 and reads from any position', () => {
    fill(store, 'a', ['x', 'y']);
    expect(store.read('a', 0)?.map((f) => f.seq)).toEqual([1, 2, 3, 4]);
    expect(store.read('a', 2)).toEqual([
      { seq: 3, frame: delta('y') },
      { seq: 4, frame: finish },
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

  it('past the total bound evicts the oldest finished streams first, never running ones', () => {
    const small = storeAt(clock, { maxStoreBytes: 600 });
    const text = 'x'.repeat(60);
    fill(small, 'running', [text], false);
    fill(small, 'old', [text]);
    clock.now += 1;
    fill(small, 'newer', [text]);
    clock.now += 1;
    const evictions: string[] = [];
    small.watch('old', () => small.info('old') || evictions.push('old'));
    fill(small, 'newest', [text, text]);
    expect(small.size).toBeLessThanOrEqual(600);
    expect(small.info('old')).toBeUndefined();
    expect(evictions).toEqual(['old']);
    expect(small.info('running')?.state).toBe('running');
    expect(small.info('newest')?.state).toBe('finished');
    small.onModuleDestroy();
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
