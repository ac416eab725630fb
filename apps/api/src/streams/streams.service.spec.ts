import type { MessageEvent } from '@nestjs/common';
import { ErrorCodes, type StreamFrame } from '@tokenstream/stream-contracts';
import { PassThrough } from 'node:stream';
import { lastValueFrom, toArray } from 'rxjs';
import type { Principal } from '../auth/principal';
import { ApiException } from '../common/api-exception';
import { loadAppConfig } from '../config/app-config';
import { DemoModelProvider } from '../models/demo-model.provider';
import { ModelCatalog } from '../models/model-catalog';
import { MemoryLimitStore } from '../limits/memory-limit-store';
import { StreamLimiter } from '../limits/stream-limiter';
import { GenerationRegistry } from './generation-registry';
import { MemoryStreamStore } from './memory-stream-store';
import { StreamsService } from './streams.service';
import { ApiMetrics } from '../metrics/api-metrics';

function setUp(tokenDelayMs = 0) {
  const config = loadAppConfig({ STREAM_HEARTBEAT_MS: '60000' });
  const store = new MemoryStreamStore(config.streams);
  const registry = new GenerationRegistry(config.streams.resumeGraceMs);
  const service = new StreamsService(
    config,
    new DemoModelProvider(tokenDelayMs),
    new ModelCatalog(config),
    store,
    registry,
    new StreamLimiter(config.limits, new MemoryLimitStore()),
    new ApiMetrics({ defaultMetrics: false }),
  );
  return { service, store, registry };
}

const alice: Principal = { id: 'oidc:issuer|alice', kind: 'user', via: 'oidc', groups: [] };
const bob: Principal = { id: 'oidc:issuer|bob', kind: 'user', via: 'oidc', groups: [] };
const request = { messages: [{ role: 'user' as const, content: 'Hi' }] };
const socket = () => {
  const headers: Record<string, string> = {};
  const stream = Object.assign(new PassThrough(), {
    headers,
    setHeader: (name: string, value: string) => (headers[name] = value),
  });
  stream.resume();
  return stream;
};

function framesOf(events: MessageEvent[]): StreamFrame[] {
  return events
    .filter((event) => event.data !== undefined)
    .map((event) => event.data as StreamFrame);
}

describe('StreamsService', () => {
  it('opens with a keep-alive, numbers every frame from 1, and names the stream in headers', async () => {
    const { service, store } = setUp();
    const streamId = await service.start(
      { ...request, maxTokens: 3 },
      { requestId: 'r', principal: alice },
    );
    const target = socket();
    const all = await lastValueFrom(service.deliver(streamId, 0, target, alice).pipe(toArray()));
    expect(all[0]).toEqual({ comment: 'keep-alive' });
    expect(all.slice(1).map((event) => event.id)).toEqual(['1', '2', '3', '4', '5']);
    expect(framesOf(all)[0]).toEqual({ type: 'start', streamId, model: 'demo' });
    expect(target.headers).toEqual({ 'X-Stream-Id': streamId, 'X-Stream-Heartbeat-Ms': '60000' });
    store.onModuleDestroy();
  });

  it('refuses an unknown model before anything starts', async () => {
    const { service } = setUp();
    await expect(
      service.start({ ...request, model: 'gpt-9' }, { requestId: 'r', principal: alice }),
    ).rejects.toThrow(expect.objectContaining({ statusCode: 400, code: ErrorCodes.unknownModel }));
  });

  it('answers 404 for a stream it does not know, to read or to stop', () => {
    const { service } = setUp();
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(() => service.deliver(unknown, 0, socket(), alice)).toThrow(
      expect.objectContaining({ statusCode: 404, code: ErrorCodes.streamNotFound }),
    );
    expect(() => service.stop(unknown, alice)).toThrow(
      expect.objectContaining({ statusCode: 404 }),
    );
  });

  it("answers 404 to anyone but the stream's owner, to read it or to stop it", async () => {
    const { service, store } = setUp(20);
    const streamId = await service.start(request, { requestId: 'r', principal: alice });
    expect(() => service.deliver(streamId, 0, socket(), bob)).toThrow(
      expect.objectContaining({ statusCode: 404, code: ErrorCodes.streamNotFound }),
    );
    expect(() => service.stop(streamId, bob)).toThrow(expect.objectContaining({ statusCode: 404 }));
    const own = lastValueFrom(service.deliver(streamId, 0, socket(), alice).pipe(toArray()));
    service.stop(streamId, alice);
    expect(framesOf(await own).at(-1)).toEqual({ type: 'finish', finishReason: 'cancelled' });
    store.onModuleDestroy();
  });

  it('stops a generation at once: every reader gets finish: cancelled', async () => {
    const { service, store } = setUp(20);
    const streamId = await service.start(request, { requestId: 'r', principal: alice });
    const first = lastValueFrom(service.deliver(streamId, 0, socket(), alice).pipe(toArray()));
    const second = lastValueFrom(service.deliver(streamId, 0, socket(), alice).pipe(toArray()));
    await new Promise((resolve) => setTimeout(resolve, 100));
    service.stop(streamId, alice);
    const [a, b] = await Promise.all([first, second]);
    expect(framesOf(a).at(-1)).toEqual({ type: 'finish', finishReason: 'cancelled' });
    expect(framesOf(b)).toEqual(framesOf(a));
    store.onModuleDestroy();
  });

  it('on shutdown ends running streams with server_shutting_down, then refuses new ones with 503', async () => {
    const { service, registry, store } = setUp(50);
    const streamId = await service.start(request, { requestId: 'r', principal: alice });
    const collected = lastValueFrom(service.deliver(streamId, 0, socket(), alice).pipe(toArray()));
    await registry.drain(100, 500);
    expect(framesOf(await collected).at(-1)).toMatchObject({
      type: 'error',
      code: 'server_shutting_down',
      retryable: true,
    });
    let refusal: unknown;
    try {
      await service.start(request, { requestId: 'r', principal: alice });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ApiException);
    expect(refusal).toMatchObject({ statusCode: 503, headers: { 'Retry-After': '5' } });
    store.onModuleDestroy();
  });
});
