import type { MessageEvent } from '@nestjs/common';
import type { StreamFrame } from '@tokenstream/stream-contracts';
import { PassThrough } from 'node:stream';
import { GenerationRegistry } from './generation-registry';
import { MemoryStreamStore } from './memory-stream-store';
import { deliverStream } from './stream-delivery';

const delta = (text: string): StreamFrame => ({ type: 'text-delta', delta: text });

/** A response-like socket: a real stream whose buffer fills when nobody reads it. */
function socket(highWaterMark = 1 << 20) {
  const stream = new PassThrough({ highWaterMark });
  return Object.assign(stream, { setHeader: () => undefined });
}

describe('deliverStream', () => {
  let store: MemoryStreamStore;
  let registry: GenerationRegistry;
  beforeEach(() => {
    store = new MemoryStreamStore({ retentionMs: 60_000, maxStreamBytes: 1e6, maxStoreBytes: 1e7 });
    registry = new GenerationRegistry(10_000);
    store.create('s', 'm', 'owner');
    store.append('s', { type: 'start', streamId: 's', model: 'm' });
    store.append('s', delta('a'));
    store.append('s', delta('b'));
  });
  const subscriptions: { unsubscribe(): void }[] = [];
  afterEach(() => {
    // Ends every reader, and with it its keep-alive timer.
    subscriptions.splice(0).forEach((subscription) => subscription.unsubscribe());
    store.onModuleDestroy();
  });

  function collect(afterSeq: number, target = socket()) {
    const events: MessageEvent[] = [];
    let completed = false;
    const subscription = deliverStream({
      store,
      registry,
      streamId: 's',
      afterSeq,
      heartbeatMs: 60_000,
      socket: target,
    }).subscribe({
      next: (event) => {
        events.push(event);
        target.write(JSON.stringify(event) + '\n');
      },
      complete: () => (completed = true),
    });
    subscriptions.push(subscription);
    return { events, subscription, isComplete: () => completed, target };
  }
  const framesOf = (events: MessageEvent[]) =>
    events.filter((e) => e.data !== undefined).map((e) => [e.id, e.data]);

  it('replays what followed the position, then follows live until the last frame', () => {
    const reader = collect(2);
    expect(reader.events[0]).toEqual({ comment: 'keep-alive' });
    expect(framesOf(reader.events)).toEqual([['3', delta('b')]]);
    store.append('s', delta('c'));
    store.append('s', { type: 'finish', finishReason: 'stop' });
    expect(framesOf(reader.events)).toEqual([
      ['3', delta('b')],
      ['4', delta('c')],
      ['5', { type: 'finish', finishReason: 'stop' }],
    ]);
    expect(reader.isComplete()).toBe(true);
  });

  it('gives several readers identical frames, wherever they joined', () => {
    const early = collect(0);
    store.append('s', delta('c'));
    const late = collect(0);
    store.append('s', { type: 'finish', finishReason: 'stop' });
    expect(framesOf(late.events)).toEqual(framesOf(early.events));
    expect(framesOf(late.events)).toHaveLength(5);
  });

  it('waits for a full socket to drain, then sends the backlog merged under the last id', async () => {
    const slow = socket(64);
    const reader = collect(3, slow);
    for (let i = 0; i < 50; i++) store.append('s', delta(`${i},`));
    const sentWhileFull = framesOf(reader.events).length;
    expect(sentWhileFull).toBeLessThan(50);
    // The reader finally reads everything: the socket drains and the backlog goes out in one frame.
    slow.resume();
    await new Promise((resolve) => setImmediate(resolve));
    const frames = framesOf(reader.events);
    const last = frames.at(-1)!;
    expect(last[0]).toBe(String(3 + 50));
    const text = frames.map(([, frame]) => (frame as { delta: string }).delta).join('');
    expect(text).toBe(Array.from({ length: 50 }, (_, i) => `${i},`).join(''));
    expect(frames.length).toBeLessThan(50);
  });

  it('tells a reader whose stream was evicted that it expired', () => {
    const small = new MemoryStreamStore({
      retentionMs: 0,
      maxStreamBytes: 1e6,
      maxStoreBytes: 1e7,
    });
    small.create('gone', 'm', 'owner');
    const events: MessageEvent[] = [];
    const subscription = deliverStream({
      store: small,
      registry,
      streamId: 'gone',
      afterSeq: 0,
      heartbeatMs: 60_000,
      socket: socket(),
    }).subscribe((event) => events.push(event));
    subscriptions.push(subscription);
    small.append('gone', { type: 'error', code: 'upstream_error', message: 'x', retryable: false });
    expect(events.at(-1)?.data).toMatchObject({ type: 'error', code: 'stream_not_found' });
    small.onModuleDestroy();
  });
});
