import { ErrorCodes, type StreamFrame } from '@tokenstream/stream-contracts';
import type { StreamWriterEvents } from './frame-writer';
import {
  StoreFullError,
  StreamClosedError,
  type StoredFrame,
  type StreamStore,
  type StreamStoreLimits,
} from './stream-store';

const start = (streamId: string): StreamFrame => ({ type: 'start', streamId, model: 'm' });
const delta = (text: string): StreamFrame => ({ type: 'text-delta', delta: text });
const finish: StreamFrame = { type: 'finish', finishReason: 'stop' };
const stopped: StreamFrame = { type: 'finish', finishReason: 'cancelled' };

/** Events that note what a writer told them. */
function writerEvents() {
  const told = { overLimit: 0, lost: [] as unknown[] };
  const events: StreamWriterEvents = {
    onOverLimit: () => (told.overLimit += 1),
    onLost: (error) => told.lost.push(error),
  };
  return { told, events };
}

/** The text of the text deltas among `frames`, joined. */
const textOf = (frames: readonly StoredFrame[]) =>
  frames.map(({ frame }) => (frame.type === 'text-delta' ? frame.delta : '')).join('');

/** Roomy limits; a test that needs tighter ones says which. */
const LIMITS: StreamStoreLimits = {
  retentionMs: 60_000,
  maxStreamBytes: 10_000,
  maxStoreBytes: 100_000,
};

/** A retention short enough to pass during a test, on the real clock. */
const SHORT_RETENTION_MS = 300;

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** Waits until `check` holds, polling, for at most two seconds. */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('the condition did not hold within 2 s');
    await sleep(5);
  }
}

/**
 * The behaviour every {@link StreamStore} shares, on the real clock: `create` gives an empty store
 * with `limits` (over an emptied database for a shared one) before each test; `dispose` releases
 * it afterwards.
 */
export function describeStreamStore(
  name: string,
  create: (limits: StreamStoreLimits) => Promise<StreamStore>,
  dispose: (store: StreamStore) => Promise<void> | void = () => undefined,
): void {
  describe(`${name} (StreamStore contract)`, () => {
    const opened: StreamStore[] = [];
    const open = async (limits: Partial<StreamStoreLimits> = {}) => {
      const store = await create({ ...LIMITS, ...limits });
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of opened.splice(0)) await dispose(store);
    });

    /** A stream with a start frame, `deltas` one append each, and a finish unless `finished` is false. */
    async function fill(store: StreamStore, streamId: string, deltas: string[], finished = true) {
      await store.create({ streamId, model: 'm', owner: 'alice' });
      await store.append(streamId, [start(streamId)]);
      for (const text of deltas) await store.append(streamId, [delta(text)]);
      if (finished) await store.append(streamId, [finish]);
    }

    it('numbers frames from 1, keeps each as its JSON, and reads from any position', async () => {
      const store = await open();
      await fill(store, 'a', ['x', 'y']);
      expect((await store.read('a', 0))?.map((f) => f.seq)).toEqual([1, 2, 3, 4]);
      expect(await store.read('a', 2)).toEqual([
        { seq: 3, frame: delta('y'), json: JSON.stringify(delta('y')) },
        { seq: 4, frame: finish, json: JSON.stringify(finish) },
      ]);
      expect(await store.read('a', 4)).toEqual([]);
      expect(await store.info('a')).toEqual({
        streamId: 'a',
        model: 'm',
        owner: 'alice',
        state: 'finished',
        lastSeq: 4,
        createdAt: expect.any(Number),
        finishedAt: expect.any(Number),
      });
    });

    it('appends several frames at once in order, and reads at most as many as asked', async () => {
      const store = await open();
      await store.create({ streamId: 'a', model: 'm', owner: 'alice' });
      const texts = ['one', 'two ', 'ü 🔑 "quoted" \\ \n line', 'x'.repeat(3_000)];
      const result = await store.append('a', [start('a'), ...texts.map(delta)]);
      expect(result).toEqual({ lastSeq: 5, overLimit: false });
      expect(await store.append('a', [delta('more')])).toEqual({ lastSeq: 6, overLimit: false });
      const frames = await store.read('a', 1, 2);
      expect(frames?.map((f) => [f.seq, f.frame])).toEqual([
        [2, delta('one')],
        [3, delta('two ')],
      ]);
      const all = await store.read('a', 0);
      expect(all?.map((f) => f.frame)).toEqual([start('a'), ...texts.map(delta), delta('more')]);
      expect(all?.every((f) => f.json === JSON.stringify(f.frame))).toBe(true);
      expect((await store.info('a'))?.state).toBe('running');
    });

    it('knows nothing of a stream it never held', async () => {
      const store = await open();
      expect(await store.info('nope')).toBeUndefined();
      expect(await store.read('nope', 0)).toBeUndefined();
      await expect(store.append('nope', [delta('x')])).rejects.toBeInstanceOf(StreamClosedError);
    });

    it('tells watchers about appends until they unsubscribe', async () => {
      const store = await open();
      await store.create({ streamId: 'a', model: 'm', owner: 'alice' });
      let calls = 0;
      const unwatch = store.watch('a', () => calls++);
      await store.append('a', [start('a')]);
      await until(() => calls >= 1);
      await store.append('a', [delta('x')]);
      await until(() => calls >= 2);
      unwatch();
      const before = calls;
      await store.append('a', [finish]);
      await sleep(50);
      expect(calls).toBe(before);
    });

    it('hands its watchers exactly the frames an append stored, when it hands any', async () => {
      const store = await open();
      await store.create({ streamId: 'a', model: 'm', owner: 'alice' });
      const handed: (readonly StoredFrame[] | undefined)[] = [];
      const unwatch = store.watch('a', (appended) => handed.push(appended));
      await store.append('a', [start('a'), delta('x')]);
      await store.append('a', [delta('y')]);
      await until(() => handed.length >= 1);
      await sleep(50);
      unwatch();
      const stored = (await store.read('a', 0)) ?? [];
      // A store may hand nothing (its watchers read what is new), never frames that are not so.
      for (const appended of handed.filter((frames) => frames !== undefined)) {
        const first = appended[0].seq;
        expect(appended).toEqual(stored.slice(first - 1, first - 1 + appended.length));
      }
    });

    describe('its writer', () => {
      /** A store with stream `a` made, and a writer of it with what it told. */
      const openWriter = async (limits: Partial<StreamStoreLimits> = {}) => {
        const store = await open(limits);
        await store.create({ streamId: 'a', model: 'm', owner: 'alice' });
        const { told, events } = writerEvents();
        return { store, told, writer: store.writer('a', events) };
      };

      it('stores what it is given in order, densely numbered, by the time it is flushed', async () => {
        const { store, told, writer } = await openWriter();
        writer.write(start('a'));
        await writer.flushed();
        expect((await store.read('a', 0))?.map((f) => f.frame)).toEqual([start('a')]);
        const texts = ['one ', 'two ', 'ü 🔑 "three"\n'];
        for (const text of texts) writer.write(delta(text));
        writer.write({ type: 'reasoning-delta', delta: 'hm' });
        writer.write(delta('four'));
        await writer.flushed();
        const frames = (await store.read('a', 0)) ?? [];
        // Consecutive text deltas may be joined on the way (a batching writer): the text is exact.
        expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i + 1));
        expect(textOf(frames)).toBe(texts.join('') + 'four');
        expect(frames.map((f) => f.frame.type)).toEqual([
          'start',
          ...Array(frames.length - 3).fill('text-delta'),
          'reasoning-delta',
          'text-delta',
        ]);
        expect((await store.info('a'))?.state).toBe('running');
        expect(told).toEqual({ overLimit: 0, lost: [] });
      });

      it('finishes the stream with a terminal frame', async () => {
        const { store, told, writer } = await openWriter();
        writer.write(start('a'));
        writer.write(delta('x'));
        writer.write(finish);
        await writer.flushed();
        const frames = (await store.read('a', 0)) ?? [];
        expect(frames.map((f) => [f.seq, f.frame])).toEqual([
          [1, start('a')],
          [2, delta('x')],
          [3, finish],
        ]);
        expect(await store.info('a')).toMatchObject({ state: 'finished', lastSeq: 3 });
        expect(told.lost).toEqual([]);
      });

      it('tells once that a stream ended by another hand, or unknown, is lost, and writes no more', async () => {
        const { store, told, writer } = await openWriter();
        writer.write(start('a'));
        await writer.flushed();
        // A stop written by someone else (a reader's request served on another instance).
        await store.append('a', [stopped]);
        writer.write(delta('late'));
        await writer.flushed();
        writer.write(delta('later'));
        writer.write(finish);
        await writer.flushed();
        expect(told.lost).toEqual([expect.any(StreamClosedError)]);
        expect((await store.read('a', 0))?.map((f) => f.frame)).toEqual([start('a'), stopped]);

        const unknown = writerEvents();
        const nowhere = store.writer('nope', unknown.events);
        nowhere.write(start('nope'));
        nowhere.write(delta('x'));
        await nowhere.flushed();
        expect(unknown.told.lost).toEqual([expect.any(StreamClosedError)]);
        expect(await store.info('nope')).toBeUndefined();
      });

      it('tells when the stream passes its size limit, and still takes its last frame', async () => {
        const { store, told, writer } = await openWriter({ maxStreamBytes: 200 });
        writer.write(start('a'));
        for (let i = 0; i < 30 && told.overLimit === 0; i++) {
          writer.write(delta('0123456789'));
          await writer.flushed();
        }
        expect(told.overLimit).toBeGreaterThan(0);
        // Told at the frame that passed it, not before.
        const sizes = ((await store.read('a', 0)) ?? []).map((f) => f.json.length);
        const bytes = sizes.reduce((sum, size) => sum + size, 0);
        expect(bytes).toBeGreaterThan(200);
        expect(bytes - (sizes.at(-1) ?? 0)).toBeLessThanOrEqual(200);
        const tooLarge: StreamFrame = {
          type: 'error',
          code: ErrorCodes.replyTooLarge,
          message: 'too large',
          retryable: false,
        };
        writer.write(tooLarge);
        await writer.flushed();
        expect((await store.read('a', 0))?.at(-1)?.frame).toEqual(tooLarge);
        expect((await store.info('a'))?.state).toBe('finished');
        expect(told.lost).toEqual([]);
      });
    });

    it('refuses frames after the last one, appending nothing', async () => {
      const store = await open();
      await fill(store, 'a', []);
      await expect(store.append('a', [delta('late')])).rejects.toBeInstanceOf(StreamClosedError);
      expect((await store.info('a'))?.lastSeq).toBe(2);
    });

    it('appends to many streams at once, each as if alone', async () => {
      const store = await open({ maxStoreBytes: 2_000_000 });
      const ids = Array.from({ length: 120 }, (_, i) => `s${i}`);
      for (const id of ids) await store.create({ streamId: id, model: 'm', owner: 'alice' });
      await store.append('s7', [finish]);
      const results = await Promise.allSettled(
        ids.map((id) => store.append(id, [delta(id), delta('!')])),
      );
      expect(results[7]).toMatchObject({
        status: 'rejected',
        reason: expect.any(StreamClosedError),
      });
      const others = ids.filter((id) => id !== 's7');
      expect(results.filter((result) => result.status === 'fulfilled')).toEqual(
        others.map(() => ({ status: 'fulfilled', value: { lastSeq: 2, overLimit: false } })),
      );
      for (const id of others) {
        expect((await store.read(id, 0))?.map((f) => f.frame)).toEqual([delta(id), delta('!')]);
      }
      expect((await store.read('s7', 0))?.map((f) => f.frame)).toEqual([finish]);
    });

    it('appends after a given position only, and answers a repeated append as the first', async () => {
      const store = await open();
      await store.create({ streamId: 'a', model: 'm', owner: 'alice' });
      expect(await store.append('a', [start('a'), delta('x')], 0)).toEqual({
        lastSeq: 2,
        overLimit: false,
      });
      // The same call again (its answer was lost): nothing added, the same answer.
      expect(await store.append('a', [start('a'), delta('x')], 0)).toEqual({
        lastSeq: 2,
        overLimit: false,
      });
      // Anything else not after the last position is refused.
      await expect(store.append('a', [delta('y')], 0)).rejects.toBeInstanceOf(StreamClosedError);
      await expect(store.append('a', [delta('y')], 5)).rejects.toBeInstanceOf(StreamClosedError);
      expect((await store.append('a', [finish], 2)).lastSeq).toBe(3);
      expect((await store.append('a', [finish], 2)).lastSeq).toBe(3);
      expect((await store.read('a', 0))?.map((f) => f.frame)).toEqual([
        start('a'),
        delta('x'),
        finish,
      ]);
    });

    it('takes exactly one last frame from writers racing to end a stream', async () => {
      const store = await open();
      await fill(store, 'a', ['x'], false);
      const ends: StreamFrame[] = [
        finish,
        { type: 'error', code: 'generation_lost', message: 'lost', retryable: true },
        { type: 'finish', finishReason: 'cancelled' },
      ];
      const results = await Promise.allSettled(ends.map((frame) => store.append('a', [frame])));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.filter((r) => r.status === 'rejected');
      expect(rejected.map((r) => (r as PromiseRejectedResult).reason)).toEqual([
        expect.any(StreamClosedError),
        expect.any(StreamClosedError),
      ]);
      const frames = (await store.read('a', 0)) ?? [];
      expect(frames.map((f) => f.seq)).toEqual([1, 2, 3]);
    });

    it('keeps a finished stream for the retention time, then forgets it', async () => {
      const store = await open({ retentionMs: SHORT_RETENTION_MS });
      await fill(store, 'a', ['x']);
      expect(await store.read('a', 0)).toHaveLength(3);
      await sleep(SHORT_RETENTION_MS + 100);
      expect(await store.read('a', 0)).toBeUndefined();
      expect(await store.info('a')).toBeUndefined();
      expect((await store.usage()).bytes).toBe(0);
    });

    it('never expires a stream that is still running', async () => {
      const store = await open({ retentionMs: SHORT_RETENTION_MS });
      await fill(store, 'a', ['x'], false);
      await sleep(SHORT_RETENTION_MS + 100);
      expect((await store.info('a'))?.state).toBe('running');
      expect(await store.read('a', 0)).toHaveLength(2);
    });

    it('says when one stream passes its own size limit', async () => {
      const store = await open({ maxStreamBytes: 200 });
      await store.create({ streamId: 'a', model: 'm', owner: 'alice' });
      await store.append('a', [start('a')]);
      let overLimit = false;
      let appended = 0;
      while (!overLimit && appended < 100) {
        overLimit = (await store.append('a', [delta('0123456789')])).overLimit;
        appended += 1;
      }
      expect(overLimit).toBe(true);
      expect(appended).toBeLessThan(10);
    });

    it('tells the instance generating a stream when another hand ended it', async () => {
      const store = await open();
      await fill(store, 'running', ['x'], false);
      await fill(store, 'stopped', ['x'], false);
      await store.append('stopped', [{ type: 'finish', finishReason: 'cancelled' }]);
      const reply = await store.heartbeat({ generating: ['running', 'stopped'], reading: [] });
      expect(reply).toEqual({ endedElsewhere: ['stopped'], readElsewhere: [] });
      expect((await store.info('running'))?.state).toBe('running');
    });

    it('has held its streams since it was made, and says so the same way each time', async () => {
      const before = Date.now();
      const store = await open();
      const since = await store.heldSince();
      expect(since).toBeLessThanOrEqual(Date.now());
      await fill(store, 'a', ['x']);
      expect(await store.heldSince()).toBe(since);
      expect(since).toBeGreaterThanOrEqual(before - 1_000);
    });

    describe('idempotency keys', () => {
      const claim = (key: string, ttlMs = 60_000) => ({ key, fingerprint: 'f1', ttlMs });

      it('gives a key to the first stream made with it, and answers that stream to the next', async () => {
        const store = await open();
        const first = { streamId: 'first', model: 'm', owner: 'alice', idempotency: claim('k') };
        expect(await store.create(first)).toBeUndefined();
        const again = {
          ...first,
          streamId: 'again',
          idempotency: { ...claim('k'), fingerprint: 'f2' },
        };
        expect(await store.create(again)).toEqual({ streamId: 'first', fingerprint: 'f1' });
        expect(await store.info('again')).toBeUndefined();
        expect(await store.findIdempotent('k')).toEqual({ streamId: 'first', fingerprint: 'f1' });
        expect(await store.findIdempotent('other')).toBeUndefined();
        expect((await store.usage()).streams).toBe(1);
      });

      it('makes one stream of requests racing with one key', async () => {
        const store = await open();
        const results = await Promise.all(
          ['a', 'b', 'c', 'd', 'e'].map((streamId) =>
            store.create({ streamId, model: 'm', owner: 'alice', idempotency: claim('k') }),
          ),
        );
        const made = results.filter((result) => result === undefined);
        expect(made).toHaveLength(1);
        const holder = await store.findIdempotent('k');
        expect(results.filter(Boolean)).toEqual(Array(4).fill(holder));
        expect((await store.usage()).streams).toBe(1);
      });

      it('lets a key go after its time', async () => {
        const store = await open();
        await store.create({
          streamId: 'a',
          model: 'm',
          owner: 'alice',
          idempotency: claim('k', 100),
        });
        await sleep(150);
        expect(await store.findIdempotent('k')).toBeUndefined();
        expect(
          await store.create({
            streamId: 'b',
            model: 'm',
            owner: 'alice',
            idempotency: claim('k'),
          }),
        ).toBeUndefined();
      });
    });

    describe('its byte budget', () => {
      // Room for three streams at their size limit of 1,000 bytes.
      const budget = { maxStreamBytes: 1_000, maxStoreBytes: 3_000 };
      const text = 'x'.repeat(400);
      const bytesOf = async (store: StreamStore, id: string) =>
        ((await store.read(id, 0)) ?? []).reduce((sum, stored) => sum + stored.json.length, 0);

      it('counts a running stream at its size limit, a finished one at its size', async () => {
        const store = await open(budget);
        await fill(store, 'running', ['x'], false);
        await fill(store, 'done', [text]);
        const usage = await store.usage();
        const running = await bytesOf(store, 'running');
        const done = await bytesOf(store, 'done');
        expect(usage).toEqual({
          streams: 2,
          bytes: running + done,
          reservedBytes: 1_000 + done,
          maxBytes: 3_000,
        });
      });

      it('refuses a new stream that could not grow to its limit, evicting nothing running', async () => {
        const store = await open(budget);
        for (const id of ['a', 'b', 'c']) await fill(store, id, [text], false);
        await expect(store.create({ streamId: 'd', model: 'm', owner: 'alice' })).rejects.toThrow(
          StoreFullError,
        );
        const states = async (ids: string[]) =>
          Promise.all(ids.map(async (id) => (await store.info(id))?.state));
        expect(await states(['a', 'b', 'c'])).toEqual(['running', 'running', 'running']);
        await store.append('a', [finish]);
        // Finished, `a` is what goes to make room; the running ones stay.
        await store.create({ streamId: 'd', model: 'm', owner: 'alice' });
        expect(await store.info('a')).toBeUndefined();
        expect(await states(['b', 'c', 'd'])).toEqual(['running', 'running', 'running']);
        expect((await store.usage()).reservedBytes).toBeLessThanOrEqual(3_000);
      });

      it('makes room from the oldest finished streams first', async () => {
        const store = await open(budget);
        await fill(store, 'old', [text, text]);
        await sleep(5);
        await fill(store, 'newer', [text, text]);
        await fill(store, 'running', [text], false);
        await fill(store, 'next', [text], false);
        expect(await store.info('old')).toBeUndefined();
        expect((await store.info('newer'))?.state).toBe('finished');
        expect((await store.usage()).reservedBytes).toBeLessThanOrEqual(3_000);
      });

      it('holds its bound however many streams finish, the newest kept', async () => {
        const store = await open({ maxStreamBytes: 1_000, maxStoreBytes: 20_000 });
        for (let i = 0; i < 300; i++) await fill(store, `s${i}`, ['some text of a reply', 'more']);
        const usage = await store.usage();
        expect(usage.bytes).toBeLessThanOrEqual(20_000);
        expect(usage.streams).toBeLessThan(300);
        expect((await store.info('s299'))?.state).toBe('finished');
        expect(await store.read('s299', 0)).toHaveLength(4);
      });
    });
  });
}
