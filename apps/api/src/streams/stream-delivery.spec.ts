import type { StreamFrame } from '@tokenstream/stream-contracts';
import { PassThrough } from 'node:stream';
import { GenerationRegistry } from './generation-registry';
import { MemoryStreamStore } from './memory-stream-store';
import { encodeFrameBatch, KEEP_ALIVE_TEXT } from './frame-batch-encoder';
import { deliverStream, MAX_FRAMES_PER_TURN, type DeliveryBatch } from './stream-delivery';
import { SpanAttributes, SpanNames } from '../tracing/span-attributes';
import { recordedTracing } from '../tracing/testing/recorded-tracing';

const delta = (text: string): StreamFrame => ({ type: 'text-delta', delta: text });

/** A response-like socket: a real stream whose buffer fills when nobody reads it. */
function socket(highWaterMark = 1 << 20) {
  const stream = new PassThrough({ highWaterMark });
  return Object.assign(stream, { setHeader: () => undefined });
}

describe('deliverStream', () => {
  let store: MemoryStreamStore;
  let registry: GenerationRegistry;
  beforeEach(async () => {
    store = new MemoryStreamStore({ retentionMs: 60_000, maxStreamBytes: 1e6, maxStoreBytes: 1e7 });
    registry = new GenerationRegistry(10_000);
    await store.create({ streamId: 's', model: 'm', owner: 'owner' });
    await store.append('s', [{ type: 'start', streamId: 's', model: 'm' }, delta('a'), delta('b')]);
  });
  const subscriptions: { unsubscribe(): void }[] = [];
  afterEach(() => {
    // Ends every reader, and with it its keep-alive timer.
    subscriptions.splice(0).forEach((subscription) => subscription.unsubscribe());
    store.onModuleDestroy();
  });

  function collect(afterSeq: number, target = socket(), from: MemoryStreamStore = store) {
    const events: DeliveryBatch[] = [];
    /** What was written to the socket, batch by batch. */
    const written: string[] = [];
    let completed = false;
    const subscription = deliverStream({
      store: from,
      streamId: 's',
      afterSeq,
      heartbeatMs: 60_000,
      stallTimeoutMs: 60_000,
      socket: target,
      attachReader: () => registry.attachReader('s'),
    }).subscribe({
      next: (event) => {
        events.push(event);
        const text = encodeFrameBatch(event).toString('utf8');
        written.push(text);
        target.write(text);
      },
      complete: () => (completed = true),
    });
    subscriptions.push(subscription);
    return { events, written, subscription, isComplete: () => completed, target };
  }
  /** Lets the reads in flight finish and their batches go out. */
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  const append = async (frame: StreamFrame) => {
    await store.append('s', [frame]);
    await settle();
  };
  const framesOf = (batches: DeliveryBatch[]) =>
    batches.flat().map(({ seq, frame }) => [String(seq), frame]);

  it('replays what followed the position, then follows live until the last frame', async () => {
    const reader = collect(2);
    await settle();
    expect(reader.events[0]).toEqual([]); // a keep-alive
    expect(framesOf(reader.events)).toEqual([['3', delta('b')]]);
    await append(delta('c'));
    await append({ type: 'finish', finishReason: 'stop' });
    expect(framesOf(reader.events)).toEqual([
      ['3', delta('b')],
      ['4', delta('c')],
      ['5', { type: 'finish', finishReason: 'stop' }],
    ]);
    expect(reader.isComplete()).toBe(true);
  });

  it('gives several readers identical frames, wherever they joined', async () => {
    const early = collect(0);
    await append(delta('c'));
    const late = collect(0);
    await append({ type: 'finish', finishReason: 'stop' });
    expect(framesOf(late.events)).toEqual(framesOf(early.events));
    expect(framesOf(late.events)).toHaveLength(5);
  });

  it('waits for a full socket to drain, then sends the backlog merged under the last id', async () => {
    const slow = socket(64);
    const reader = collect(3, slow);
    for (let i = 0; i < 50; i++) await append(delta(`${i},`));
    const sentWhileFull = framesOf(reader.events).length;
    expect(sentWhileFull).toBeLessThan(50);
    // The reader finally reads everything: the socket drains and the backlog goes out in one frame.
    slow.resume();
    await settle();
    await settle();
    const frames = framesOf(reader.events);
    const last = frames.at(-1)!;
    expect(last[0]).toBe(String(3 + 50));
    const text = frames.map(([, frame]) => (frame as { delta: string }).delta).join('');
    expect(text).toBe(Array.from({ length: 50 }, (_, i) => `${i},`).join(''));
    expect(frames.length).toBeLessThan(50);
  });

  it('hands over the frames ready at once as one batch, for one write', async () => {
    const reader = collect(0);
    await settle();
    expect(reader.events).toHaveLength(2); // the keep-alive, then the three frames stored so far
    expect(reader.events[1].map(({ seq }) => seq)).toEqual([1, 2, 3]);
    // Each batch's bytes are exactly its frames' JSON, made once by the store.
    expect(encodeFrameBatch(reader.events[1]).toString('utf8')).toBe(
      reader.events[1].map(({ seq, json }) => `id: ${seq}\ndata: ${json}\n\n`).join(''),
    );
    await append(delta('c'));
    expect(reader.events).toHaveLength(3);
    expect(framesOf([reader.events[2]])).toEqual([['4', delta('c')]]);
  });

  describe('a reader that is caught up', () => {
    /** `store`, with the reads of its readers counted: what the direct path saves. */
    function countingReads() {
      const counted = { reads: 0 };
      const counting = Object.assign(Object.create(store) as MemoryStreamStore, {
        read: (...args: Parameters<MemoryStreamStore['read']>) => {
          counted.reads += 1;
          return store.read(...args);
        },
      });
      return { counting, counted };
    }
    const noEvents = { onOverLimit: () => undefined, onLost: () => undefined };

    it('is sent each frame from within its write, without a read of the store', async () => {
      const { counting, counted } = countingReads();
      const reader = collect(3, socket(), counting);
      await settle();
      expect(framesOf(reader.events)).toEqual([]);
      const readsWhenCaughtUp = counted.reads;
      const writer = store.writer('s', noEvents);
      writer.write(delta('c'));
      // No turn of the event loop between the write and this: it was sent from the append.
      expect(framesOf(reader.events)).toEqual([['4', delta('c')]]);
      writer.write(delta('d'));
      writer.write({ type: 'finish', finishReason: 'stop' });
      expect(framesOf(reader.events)).toEqual([
        ['4', delta('c')],
        ['5', delta('d')],
        ['6', { type: 'finish', finishReason: 'stop' }],
      ]);
      expect(reader.isComplete()).toBe(true);
      expect(counted.reads).toBe(readsWhenCaughtUp);
    });

    it('is written exactly the bytes a reader that reads the store is written', async () => {
      const live = collect(0);
      await settle();
      const writer = store.writer('s', noEvents);
      for (const text of ['c', 'ü "d"\n', '\u2028e']) writer.write(delta(text));
      writer.write({ type: 'reasoning-delta', delta: 'hm' });
      writer.write({ type: 'finish', finishReason: 'stop' });
      expect(live.isComplete()).toBe(true);
      // Another reader of the whole reply, once it is finished: from the store alone.
      const replay = collect(0);
      await settle();
      expect(replay.isComplete()).toBe(true);
      expect(live.written.length).toBeGreaterThan(replay.written.length);
      expect(live.written.join('')).toBe(replay.written.join(''));
      // And both exactly the events of the frames, made here independently of the encoder.
      const events = ((await store.read('s', 0)) ?? [])
        .map(({ seq, frame }) => `id: ${seq}\ndata: ${JSON.stringify(frame)}\n\n`)
        .join('');
      expect(replay.written.join('')).toBe(KEEP_ALIVE_TEXT + events);
    });

    it('reads, rather than be handed frames, while it is behind, and gets every frame in order', async () => {
      const { counting, counted } = countingReads();
      const many = Array.from({ length: 1_000 }, (_, i) => delta(`${i},`));
      await store.append('s', many);
      const reader = collect(0, socket(), counting);
      const writer = store.writer('s', noEvents);
      // Live frames while the reader replays, a turn at a time.
      for (let i = 0; i < 50; i++) {
        writer.write(delta(`live ${i},`));
        await settle();
      }
      writer.write({ type: 'finish', finishReason: 'stop' });
      for (let i = 0; i < 100 && !reader.isComplete(); i++) await settle();
      expect(reader.isComplete()).toBe(true);
      const seqs = framesOf(reader.events).map(([seq]) => Number(seq));
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      const text = framesOf(reader.events)
        .map(([, frame]) => (frame as { delta?: string }).delta ?? '')
        .join('');
      const live = Array.from({ length: 50 }, (_, i) => `live ${i},`).join('');
      expect(text).toBe('ab' + many.map((f) => (f as { delta: string }).delta).join('') + live);
      expect(counted.reads).toBeGreaterThanOrEqual(1_003 / MAX_FRAMES_PER_TURN);
    });

    it('sends a large append in turns of at most MAX_FRAMES_PER_TURN frames', async () => {
      const reader = collect(3);
      await settle();
      const many = Array.from({ length: 3 * MAX_FRAMES_PER_TURN }, (_, i) => delta(`${i},`));
      await store.append('s', many);
      for (let i = 0; i < 10; i++) await settle();
      const batches = reader.events.filter((batch) => batch.length > 0);
      expect(batches.length).toBeGreaterThanOrEqual(3);
      expect(batches.every((batch) => batch.length <= MAX_FRAMES_PER_TURN)).toBe(true);
      expect(framesOf(reader.events).map(([seq]) => seq)).toEqual(
        many.map((_, i) => String(4 + i)),
      );
    });

    it('once its socket is full, waits for it, then gets what piled up merged and follows on', async () => {
      const slow = socket(64);
      const reader = collect(3, slow);
      await settle();
      const writer = store.writer('s', noEvents);
      for (let i = 0; i < 50; i++) writer.write(delta(`${i},`));
      const sentWhileFull = framesOf(reader.events).length;
      expect(sentWhileFull).toBeLessThan(50);
      slow.resume();
      for (let i = 0; i < 10; i++) await settle();
      const caughtUp = framesOf(reader.events);
      expect(caughtUp.length).toBeLessThan(50);
      expect(caughtUp.at(-1)?.[0]).toBe(String(3 + 50));
      const text = caughtUp.map(([, frame]) => (frame as { delta: string }).delta).join('');
      expect(text).toBe(Array.from({ length: 50 }, (_, i) => `${i},`).join(''));
      // Caught up again: the next frame goes out from its write, at the next position.
      writer.write(delta('next'));
      expect(framesOf(reader.events).at(-1)).toEqual([String(3 + 51), delta('next')]);
    });
  });

  it('tells a reader whose stream was evicted that it expired', async () => {
    const small = new MemoryStreamStore({
      retentionMs: 0,
      maxStreamBytes: 1e6,
      maxStoreBytes: 1e7,
    });
    await small.create({ streamId: 'gone', model: 'm', owner: 'owner' });
    const events: DeliveryBatch[] = [];
    await small.append('gone', [
      { type: 'error', code: 'upstream_error', message: 'x', retryable: false },
    ]);
    // Gone (retention 0) between the request's check and the delivery's first read.
    expect((await small.usage()).streams).toBe(0);
    const subscription = deliverStream({
      store: small,
      streamId: 'gone',
      afterSeq: 0,
      heartbeatMs: 60_000,
      stallTimeoutMs: 60_000,
      socket: socket(),
      attachReader: () => () => undefined,
    }).subscribe((event) => events.push(event));
    subscriptions.push(subscription);
    await settle();
    expect(events.flat()).toEqual([
      expect.objectContaining({ frame: expect.objectContaining({ code: 'stream_not_found' }) }),
    ]);
    small.onModuleDestroy();
  });

  /** A delivery of `s` from `store`, read to its end or for at most `ms`. */
  async function readFrom(from: MemoryStreamStore, ms: number) {
    const events: DeliveryBatch[] = [];
    let completed = false;
    const subscription = deliverStream({
      store: from,
      streamId: 's',
      afterSeq: 0,
      heartbeatMs: 60_000,
      stallTimeoutMs: 60_000,
      socket: socket(),
      attachReader: () => () => undefined,
    }).subscribe({ next: (event) => events.push(event), complete: () => (completed = true) });
    subscriptions.push(subscription);
    const deadline = Date.now() + ms;
    while (!completed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return { events, completed };
  }

  it('lets its reader go without a last frame when the store keeps failing, to resume later', async () => {
    let reads = 0;
    const failing = Object.assign(Object.create(store) as MemoryStreamStore, {
      read: () => {
        reads += 1;
        return Promise.reject(new Error('connection reset'));
      },
    });
    const { events, completed } = await readFrom(failing, 3_000);
    expect(completed).toBe(true);
    expect(events).toEqual([[]]); // the opening keep-alive, and no frame at all
    expect(reads).toBe(4); // the first read and three more tries, over about 1.4 s
  });

  it('reads on when the store fails for a moment', async () => {
    let failures = 2;
    const flaky = Object.assign(Object.create(store) as MemoryStreamStore, {
      read: (...args: Parameters<MemoryStreamStore['read']>) =>
        failures-- > 0 ? Promise.reject(new Error('timeout')) : store.read(...args),
    });
    await store.append('s', [{ type: 'finish', finishReason: 'stop' }]);
    const { events, completed } = await readFrom(flaky, 3_000);
    expect(completed).toBe(true);
    expect(framesOf(events).map(([seq]) => seq)).toEqual(['1', '2', '3', '4']);
  });

  describe('a reader of a long finished stream that does not read', () => {
    const LONG = 5_000;
    beforeEach(async () => {
      for (let i = 0; i < LONG; i++) await store.append('s', [delta(`${i},`)]);
      await store.append('s', [{ type: 'finish', finishReason: 'stop' }]);
    });
    const turns = (n: number) =>
      Array.from({ length: n }).reduce<Promise<void>>(
        (previous) => previous.then(() => new Promise((resolve) => setImmediate(resolve))),
        Promise.resolve(),
      );

    it('is sent frames only as its socket takes them, then the whole reply once it reads', async () => {
      const stuck = socket(16 * 1024);
      const reader = collect(0, stuck);
      await turns(50);
      const sentWhileStuck = framesOf(reader.events).length;
      // What the socket's buffer holds, plus at most one turn's frames: not the reply's 5,000.
      expect(sentWhileStuck).toBeGreaterThan(0);
      expect(sentWhileStuck).toBeLessThan((16 * 1024) / 10 + MAX_FRAMES_PER_TURN);
      stuck.resume();
      for (let i = 0; i < 500 && !reader.isComplete(); i++) await turns(1);
      expect(reader.isComplete()).toBe(true);
      const frames = framesOf(reader.events);
      const text = frames.map(([, frame]) => (frame as { delta?: string }).delta ?? '').join('');
      const expected = 'ab' + Array.from({ length: LONG }, (_, i) => `${i},`).join('');
      expect(text === expected).toBe(true);
      expect(frames.at(-1)).toEqual([String(LONG + 4), { type: 'finish', finishReason: 'stop' }]);
    });

    it('is closed when its socket takes nothing for the stall timeout', async () => {
      const stuck = socket(1024);
      const events: DeliveryBatch[] = [];
      const subscription = deliverStream({
        store,
        streamId: 's',
        afterSeq: 0,
        heartbeatMs: 60_000,
        stallTimeoutMs: 50,
        socket: stuck,
        attachReader: () => () => undefined,
      }).subscribe((event) => {
        events.push(event);
        stuck.write(encodeFrameBatch(event));
      });
      subscriptions.push(subscription);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(stuck.destroyed).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(stuck.destroyed).toBe(true);
    });

    it('is not closed while its socket keeps taking frames, however slowly', async () => {
      const slow = socket(1024);
      const reader = collect(0, slow);
      // Reads a little every 20 ms: slower than the frames come, never stalled for 60 s.
      for (let i = 0; i < 10; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        slow.read(512);
      }
      expect(slow.destroyed).toBe(false);
      expect(framesOf(reader.events).length).toBeGreaterThan(0);
    });
  });
});

describe('deliverStream, traced', () => {
  const recorded = recordedTracing();
  let store: MemoryStreamStore;
  beforeEach(async () => {
    store = new MemoryStreamStore({ retentionMs: 60_000, maxStreamBytes: 1e6, maxStoreBytes: 1e7 });
    await store.create({ streamId: 's', model: 'm', owner: 'owner' });
    await store.append('s', [{ type: 'start', streamId: 's', model: 'm' }, delta('a')]);
  });
  afterEach(() => store.onModuleDestroy());

  function deliver(afterSeq: number) {
    const { span: trace } = recorded.traced();
    const registry = new GenerationRegistry(10_000);
    const subscription = deliverStream({
      store,
      streamId: 's',
      afterSeq,
      heartbeatMs: 60_000,
      stallTimeoutMs: 60_000,
      socket: socket(),
      attachReader: () => registry.attachReader('s'),
      span: trace.child(SpanNames.delivery),
    }).subscribe();
    return { subscription, trace };
  }
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  const last = () => recorded.spans().at(-1);

  it('ends its span with the last frame sent and how the stream ended', async () => {
    const { trace } = deliver(1);
    await store.append('s', [delta('b'), { type: 'finish', finishReason: 'stop' }]);
    await settle();
    expect(last()?.name).toBe(SpanNames.delivery);
    expect(last()?.parentSpanContext?.spanId).toBe(trace.ids.span_id);
    expect(last()?.attributes).toEqual({
      [SpanAttributes.deliveryTo]: 4,
      [SpanAttributes.outcome]: 'stop',
    });
  });

  it('ends its span as left when the reader goes before the end', async () => {
    const ended = recorded.spans().length;
    const { subscription } = deliver(0);
    await settle();
    expect(recorded.spans()).toHaveLength(ended); // still delivering
    subscription.unsubscribe();
    expect(recorded.spans()).toHaveLength(ended + 1);
    expect(last()?.attributes).toEqual({
      [SpanAttributes.deliveryTo]: 2,
      [SpanAttributes.outcome]: 'left',
    });
  });
});
