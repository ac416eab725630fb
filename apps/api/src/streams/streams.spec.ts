import { ErrorCodes, type StreamFrame } from '@tokenstream/stream-contracts';
import { lastValueFrom, toArray } from 'rxjs';
import type { Principal } from '../shared/principal';
import { ApiException } from '../common/api-exception';
import type { DeliveryBatch } from './stream-delivery';
import { setDeliveryHeaders } from './send-delivery';
import type { Delivery } from './stream-readers';
import { newUuidV7 } from '../common/uuid-v7';
import { readingSocket as socket, streamsForTest } from './testing/streams-for-test';

const alice: Principal = { id: 'oidc:issuer|alice', kind: 'user', via: 'oidc', groups: [] };
const bob: Principal = { id: 'oidc:issuer|bob', kind: 'user', via: 'oidc', groups: [] };
const request = { messages: [{ role: 'user' as const, content: 'Hi' }] };

/** Every batch a delivery emits, to its end. */
async function collect(delivery: Promise<Delivery | null>): Promise<DeliveryBatch[]> {
  const opened = await delivery;
  if (!opened) throw new Error('nothing to deliver');
  return lastValueFrom(opened.batches.pipe(toArray()));
}

function framesOf(batches: DeliveryBatch[]): StreamFrame[] {
  return batches.flat().map(({ frame }) => frame);
}

async function refusalOf(attempt: () => unknown): Promise<ApiException> {
  try {
    await attempt();
  } catch (error) {
    if (error instanceof ApiException) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('streams: starting and reading', () => {
  it('opens with a keep-alive, numbers every frame from 1, and names the stream in headers', async () => {
    const { readers, store, start } = streamsForTest();
    const streamId = await start(alice, { ...request, maxTokens: 3 });
    const target = socket();
    const delivery = await readers.deliver(streamId, 0, target, alice);
    setDeliveryHeaders(target, delivery);
    const all = await collect(Promise.resolve(delivery));
    expect(all[0]).toEqual([]); // a keep-alive
    expect(all.flat().map(({ seq }) => seq)).toEqual([1, 2, 3, 4, 5]);
    expect(framesOf(all)[0]).toEqual({ type: 'start', streamId, model: 'demo' });
    expect(target.headers).toEqual({ 'X-Stream-Id': streamId, 'X-Stream-Heartbeat-Ms': '60000' });
    store.onModuleDestroy();
  });

  it('records a usage row as a reply ends: who, which model, tokens, time, outcome', async () => {
    const { readers, store, start, usage } = streamsForTest();
    const streamId = await start({ ...alice, groups: ['ml'] }, { ...request, maxTokens: 3 });
    await collect(readers.deliver(streamId, 0, socket(), alice));
    await new Promise((resolve) => setImmediate(resolve));
    expect(usage.replies).toEqual([
      expect.objectContaining({
        principal: expect.objectContaining({ id: alice.id, groups: ['ml'] }),
        api: 'native',
        model: 'demo',
        // The demo provider answers itself, without a router and its deployments.
        deployment: null,
        promptChars: 2,
        outcome: 'length',
        durationMs: expect.any(Number),
      }),
    ]);
    expect(usage.replies[0].completionChars).toBeGreaterThan(0);
    store.onModuleDestroy();
  });

  it('refuses an unknown model before anything starts', async () => {
    const { starter } = streamsForTest();
    await expect(
      starter.start({ ...request, model: 'gpt-9' }, { requestId: 'r', principal: alice }),
    ).rejects.toThrow(expect.objectContaining({ statusCode: 400, code: ErrorCodes.unknownModel }));
  });

  it('answers 404 for a stream it does not know, to read or to stop', async () => {
    const { readers } = streamsForTest();
    const unknown = '00000000-0000-4000-8000-000000000000';
    await expect(readers.deliver(unknown, 0, socket(), alice)).rejects.toThrow(
      expect.objectContaining({ statusCode: 404, code: ErrorCodes.streamNotFound }),
    );
    await expect(readers.stop(unknown, alice)).rejects.toThrow(
      expect.objectContaining({ statusCode: 404 }),
    );
  });

  it('tells a reader of a stream lost with the store (a restart) to send again, retryably', async () => {
    const madeBeforeTheStore = newUuidV7(Date.now() - 5_000);
    const { readers } = streamsForTest();
    const batches = await collect(readers.resume(madeBeforeTheStore, 3, socket(), alice));
    expect(framesOf(batches)).toEqual([
      expect.objectContaining({ type: 'error', code: 'generation_lost', retryable: true }),
    ]);
    await expect(readers.stop(madeBeforeTheStore, alice)).resolves.toBeUndefined();
    // Made since, or too long ago to be held anyway: simply not there.
    for (const id of [newUuidV7(), newUuidV7(Date.now() - 24 * 3_600_000)]) {
      await expect(readers.resume(id, 0, socket(), alice)).rejects.toThrow(
        expect.objectContaining({ statusCode: 404 }),
      );
    }
  });

  it("answers 404 to anyone but the stream's owner, to read it or to stop it", async () => {
    const { readers, store, start } = streamsForTest({ tokenDelayMs: 20 });
    const streamId = await start(alice);
    await expect(readers.deliver(streamId, 0, socket(), bob)).rejects.toThrow(
      expect.objectContaining({ statusCode: 404, code: ErrorCodes.streamNotFound }),
    );
    await expect(readers.stop(streamId, bob)).rejects.toThrow(
      expect.objectContaining({ statusCode: 404 }),
    );
    const own = collect(readers.deliver(streamId, 0, socket(), alice));
    await readers.stop(streamId, alice);
    expect(framesOf(await own).at(-1)).toEqual({ type: 'finish', finishReason: 'cancelled' });
    store.onModuleDestroy();
  });

  it('stops a generation at once: every reader gets finish: cancelled', async () => {
    const { readers, store, start } = streamsForTest({ tokenDelayMs: 20 });
    const streamId = await start(alice);
    const first = collect(readers.deliver(streamId, 0, socket(), alice));
    const second = collect(readers.deliver(streamId, 0, socket(), alice));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await readers.stop(streamId, alice);
    const [a, b] = await Promise.all([first, second]);
    expect(framesOf(a).at(-1)).toEqual({ type: 'finish', finishReason: 'cancelled' });
    expect(framesOf(b)).toEqual(framesOf(a));
    store.onModuleDestroy();
  });

  it('on shutdown ends running streams with server_shutting_down, then refuses new ones with 503', async () => {
    const { readers, registry, store, start } = streamsForTest({ tokenDelayMs: 50 });
    const streamId = await start(alice);
    const collected = collect(readers.deliver(streamId, 0, socket(), alice));
    await registry.drain(100, 500);
    expect(framesOf(await collected).at(-1)).toMatchObject({
      type: 'error',
      code: 'server_shutting_down',
      retryable: true,
    });
    const refusal = await refusalOf(() => start(alice));
    expect(refusal).toMatchObject({ statusCode: 503, headers: { 'Retry-After': '5' } });
    store.onModuleDestroy();
  });

  describe('an Idempotency-Key', () => {
    it('gives a request sent again the first one’s stream, from its first frame, generating once', async () => {
      const { starter, readers, registry } = streamsForTest({ tokenDelayMs: 5 });
      const context = { requestId: 'r', principal: alice, idempotencyKey: 'prompt-1' };
      const first = (await starter.start(request, context))!;
      const again = (await starter.start(request, context))!;
      expect(again).toMatchObject({ streamId: first.streamId, joined: true });
      expect(first.joined).toBe(false);
      expect(registry.size).toBe(1);
      const [a, b] = await Promise.all([
        collect(readers.deliver(first.streamId, 0, socket(), alice, first.reader)),
        collect(readers.deliver(again.streamId, 0, socket(), alice, again.reader)),
      ]);
      expect(framesOf(b)).toEqual(framesOf(a));
      expect(framesOf(a).at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
    });

    it('answers 409 to the same key with another request, and keeps keys apart per caller', async () => {
      const { starter, registry } = streamsForTest({ tokenDelayMs: 5 });
      const first = (await starter.start(request, {
        requestId: 'r',
        principal: alice,
        idempotencyKey: 'k',
      }))!;
      const other = { messages: [{ role: 'user' as const, content: 'Something else' }] };
      const refusal = await refusalOf(() =>
        starter.start(other, { requestId: 'r', principal: alice, idempotencyKey: 'k' }),
      );
      expect(refusal).toMatchObject({ statusCode: 409, code: ErrorCodes.idempotencyConflict });
      // Bob's "k" is his own.
      const bobs = (await starter.start(request, {
        requestId: 'r',
        principal: bob,
        idempotencyKey: 'k',
      }))!;
      expect(bobs.streamId).not.toBe(first.streamId);
      first.reader();
      bobs.reader();
      await registry.drain(0, 100);
    });
  });

  describe('a reader that comes back', () => {
    it('with the last frame of a finished stream has nothing to wait for (null: 204)', async () => {
      const { readers, store, start, readToEnd } = streamsForTest();
      const streamId = await start(alice);
      const lastId = Number((await readToEnd(streamId, alice)).at(-1)?.seq);
      expect(await readers.resume(streamId, lastId, socket(), alice)).toBeNull();
      const before = framesOf(await collect(readers.resume(streamId, lastId - 1, socket(), alice)));
      expect(before).toEqual([{ type: 'finish', finishReason: 'stop', usage: expect.anything() }]);
      store.onModuleDestroy();
    });

    it('with an id past what the stream produced gets a 400 naming the last frame', async () => {
      const { readers, store, start, readToEnd } = streamsForTest({ tokenDelayMs: 20 });
      const running = await start(alice);
      await expect(readers.resume(running, 99, socket(), alice)).rejects.toThrow(
        expect.objectContaining({ statusCode: 400, message: expect.stringMatching(/99 is past/) }),
      );
      await readers.stop(running, alice);
      const lastId = Number((await readToEnd(running, alice)).at(-1)?.seq);
      await expect(readers.resume(running, lastId + 1, socket(), alice)).rejects.toThrow(
        expect.objectContaining({
          statusCode: 400,
          problems: [{ path: 'Last-Event-ID', message: `must be at most ${lastId}` }],
        }),
      );
      store.onModuleDestroy();
    });
  });

  describe('bounds on readers', () => {
    it('refuses a reader past the bound per stream with a 429, the POST that started it counted', async () => {
      const { starter, readers, store, registry } = streamsForTest({
        tokenDelayMs: 20,
        env: { STREAM_MAX_READERS_PER_STREAM: '2' },
      });
      const started = (await starter.start(request, { requestId: 'r', principal: alice }))!;
      const { streamId } = started;
      const post = (
        await readers.deliver(streamId, 0, socket(), alice, started.reader)
      ).batches.subscribe();
      const second = socket();
      const get = (await readers.deliver(streamId, 0, second, alice)).batches.subscribe();
      const refusal = await refusalOf(() => readers.resume(streamId, 0, socket(), alice));
      expect(refusal).toMatchObject({
        statusCode: 429,
        code: ErrorCodes.rateLimited,
        problems: [{ path: 'limit', message: 'readersPerStream' }],
        headers: { 'Retry-After': expect.stringMatching(/^\d+$/) },
      });
      // A reader that goes gives its place back, whether or not it ever read.
      get.unsubscribe();
      second.destroy();
      const third = (await readers.resume(streamId, 0, socket(), alice))!.batches.subscribe();
      third.unsubscribe();
      post.unsubscribe();
      await registry.drain(0, 100);
      store.onModuleDestroy();
    });

    it('refuses a caller past its bound over all its streams, and only that caller', async () => {
      const { readers, store, start, registry } = streamsForTest({
        tokenDelayMs: 20,
        env: { STREAM_MAX_READERS_PER_CALLER: '2' },
      });
      const one = await start(alice);
      const two = await start(alice);
      const subscriptions = await Promise.all(
        [one, two].map(async (id) =>
          (await readers.deliver(id, 0, socket(), alice)).batches.subscribe(),
        ),
      );
      const refusal = await refusalOf(() => readers.deliver(one, 0, socket(), alice));
      expect(refusal).toMatchObject({
        statusCode: 429,
        problems: [{ path: 'limit', message: 'readersPerCaller' }],
      });
      await expect(refusalOf(() => start(alice))).resolves.toMatchObject({ statusCode: 429 });
      const bobs = await start(bob);
      const bobReader = (await readers.deliver(bobs, 0, socket(), bob)).batches.subscribe();
      [...subscriptions, bobReader].forEach((reader) => reader.unsubscribe());
      await registry.drain(0, 100);
      store.onModuleDestroy();
    });
  });

  it('answers 503 with Retry-After when the store has no room for another running stream, taking nothing', async () => {
    const { readers, store, start, registry, readToEnd } = streamsForTest({
      tokenDelayMs: 20,
      limits: { concurrentStreams: 3 },
      env: {
        STREAM_MAX_BYTES: '100000',
        STREAM_STORE_MAX_BYTES: '250000',
        STREAM_MAX_READERS_PER_CALLER: '1',
      },
    });
    const busy = {
      statusCode: 503,
      code: ErrorCodes.serverBusy,
      headers: { 'Retry-After': '5' },
    };
    const first = [await start(alice), await start(alice)];
    expect(await refusalOf(() => start(alice))).toMatchObject(busy);
    expect((await store.usage()).streams).toBe(2);
    for (const streamId of first) await readers.stop(streamId, alice);
    for (const streamId of first) await readToEnd(streamId, alice);
    // The refused request gave back what it took: its reader slot (one per caller here, so a kept
    // one would refuse the next start with a 429), and its concurrency slot (a kept one would
    // make the third stream below a 429 rather than the store's 503).
    const again = [await start(alice), await start(alice)];
    expect(await refusalOf(() => start(alice))).toMatchObject(busy);
    for (const streamId of again) await readers.stop(streamId, alice);
    await registry.drain(1_000, 100);
    store.onModuleDestroy();
  });

  it('starts nothing for a client that left while its stream was admitted', async () => {
    const { starter, readers, store } = streamsForTest({
      limits: { concurrentStreams: 1 },
      env: { STREAM_MAX_READERS_PER_CALLER: '1' },
    });
    const started = await starter.start(request, {
      requestId: 'r',
      principal: alice,
      isClientGone: () => true,
    });
    expect(started).toBeUndefined();
    expect((await store.usage()).streams).toBe(0);
    // Its concurrency slot and its reader slot were given back: the next stream is admitted.
    const next = await starter.start(request, { requestId: 'r', principal: alice });
    expect(next).toBeDefined();
    next!.reader();
    await readers.stop(next!.streamId, alice);
    store.onModuleDestroy();
  });
});
