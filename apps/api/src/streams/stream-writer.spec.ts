import type { StreamFrame } from '@tokenstream/stream-contracts';
import { MemoryStreamStore } from './memory-stream-store';
import { StreamClosedError } from './stream-store';
import { StreamWriter } from './stream-writer';

const start: StreamFrame = { type: 'start', streamId: 's', model: 'm' };
const delta = (text: string): StreamFrame => ({ type: 'text-delta', delta: text });
const finish: StreamFrame = { type: 'finish', finishReason: 'stop' };
/** A short reply as the store should hold it: each frame once, at its position. */
const START_X_FINISH = [
  [1, start],
  [2, delta('x')],
  [3, finish],
];

/** A memory store whose appends can be held back, or made to fail, as a remote store's may. */
class UnreliableStore extends MemoryStreamStore {
  appends: (readonly StreamFrame[])[] = [];
  failures = 0;
  /** Appends that happen, but whose answer is lost (a timeout while Redis was stalled). */
  lostAnswers = 0;
  gate: Promise<void> | undefined;

  override async append(streamId: string, frames: readonly StreamFrame[], afterSeq?: number) {
    this.appends.push(frames);
    await this.gate;
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('connection reset');
    }
    const result = await super.append(streamId, frames, afterSeq);
    if (this.lostAnswers > 0) {
      this.lostAnswers -= 1;
      throw new Error('Redis did not answer within 1000 ms');
    }
    return result;
  }
}

describe('StreamWriter', () => {
  let store: UnreliableStore;
  const lost: unknown[] = [];
  let overLimit = 0;
  const writer = (patienceMs?: number) =>
    new StreamWriter(
      store,
      's',
      { onOverLimit: () => (overLimit += 1), onLost: (error) => lost.push(error) },
      patienceMs,
    );
  const stored = async () => ((await store.read('s', 0)) ?? []).map((f) => [f.seq, f.frame]);

  beforeEach(async () => {
    store = new UnreliableStore({ retentionMs: 60_000, maxStreamBytes: 200, maxStoreBytes: 1e6 });
    await store.create({ streamId: 's', model: 'm', owner: 'o' });
    lost.length = 0;
    overLimit = 0;
  });
  afterEach(() => store.onModuleDestroy());

  it('stores what came during an append in the next one, its text deltas joined', async () => {
    let open!: () => void;
    store.gate = new Promise((resolve) => (open = resolve));
    const w = writer();
    w.write(start);
    for (const text of ['a', 'b', 'c']) w.write(delta(text));
    open();
    await w.flushed();
    w.write(finish);
    await w.flushed();
    expect(store.appends).toEqual([[start], [delta('abc')], [finish]]);
    expect(await stored()).toEqual([
      [1, start],
      [2, delta('abc')],
      [3, finish],
    ]);
  });

  it('retries a store that fails, in order, storing every frame once', async () => {
    store.failures = 2;
    const w = writer();
    w.write(start);
    w.write(delta('x'));
    w.write(finish);
    await w.flushed();
    expect(lost).toEqual([]);
    expect(await stored()).toEqual(START_X_FINISH);
  });

  it('never doubles frames whose append happened though its answer was lost', async () => {
    store.lostAnswers = 2;
    const w = writer();
    w.write(start);
    await w.flushed();
    w.write(delta('x'));
    await w.flushed();
    w.write(finish);
    await w.flushed();
    expect(lost).toEqual([]);
    expect(await stored()).toEqual(START_X_FINISH);
  });

  it('gives the stream up once the store has failed for its patience, and writes no more', async () => {
    store.failures = Infinity;
    const w = writer(200);
    const started = Date.now();
    w.write(start);
    await w.flushed();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(lost).toEqual([expect.objectContaining({ message: 'connection reset' })]);
    const attempts = store.appends.length;
    w.write(delta('late'));
    await w.flushed();
    expect(store.appends).toHaveLength(attempts);
  });

  it('gives up at once on a stream someone else ended, without retrying', async () => {
    await store.append('s', [start, finish]);
    store.appends = [];
    const w = writer();
    w.write(delta('x'));
    await w.flushed();
    expect(store.appends).toHaveLength(1);
    expect(lost).toEqual([expect.any(StreamClosedError)]);
  });

  it('says when the stream passed its size limit', async () => {
    const w = writer();
    w.write(start);
    for (let i = 0; i < 30 && overLimit === 0; i++) {
      w.write(delta('0123456789'));
      await w.flushed();
    }
    expect(overLimit).toBeGreaterThan(0);
  });
});
