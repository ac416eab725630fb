import { ErrorCodes, type StreamFrame } from '@tokenstream/stream-contracts';
import { lastValueFrom, toArray } from 'rxjs';
import { ApiException } from '../common/api-exception';
import { loadAppConfig } from '../config/app-config';
import { DemoModelProvider } from '../models/demo-model.provider';
import { ModelCatalog } from '../models/model-catalog';
import { ActiveStreams } from './active-streams';
import { StreamsService } from './streams.service';

function setUp(tokenDelayMs = 0) {
  const config = loadAppConfig({ STREAM_HEARTBEAT_MS: '60000' });
  const active = new ActiveStreams();
  const service = new StreamsService(
    config,
    new DemoModelProvider(tokenDelayMs),
    new ModelCatalog(config),
    active,
  );
  return { service, active };
}

const request = { messages: [{ role: 'user' as const, content: 'Hi' }] };
const context = () => ({ requestId: 'r-1', responseClosed: new Promise<void>(() => undefined) });

function framesOf(events: { data?: unknown }[]): StreamFrame[] {
  return events
    .filter((event) => event.data !== undefined)
    .map((event) => event.data as StreamFrame);
}

describe('StreamsService', () => {
  it('opens with a keep-alive, then numbers every frame from 1', async () => {
    const { service } = setUp();
    const { streamId, events } = service.start({ ...request, maxTokens: 3 }, context());
    const all = await lastValueFrom(events.pipe(toArray()));
    expect(all[0]).toEqual({ comment: 'keep-alive' });
    const frames = all.slice(1);
    expect(frames.map((event) => event.id)).toEqual(['1', '2', '3', '4', '5']);
    expect(framesOf(frames)[0]).toEqual({ type: 'start', streamId, model: 'demo' });
  });

  it('refuses an unknown model before anything starts', () => {
    const { service } = setUp();
    expect(() => service.start({ ...request, model: 'gpt-9' }, context())).toThrow(
      expect.objectContaining({ statusCode: 400, code: ErrorCodes.unknownModel }),
    );
  });

  it('ends running streams with server_shutting_down, then refuses new ones with 503 and Retry-After', async () => {
    const { service, active } = setUp(50);
    const { events } = service.start(request, context());
    const collected = lastValueFrom(events.pipe(toArray()));
    expect(active.size).toBe(1);
    await active.drain(100);
    const frames = framesOf(await collected);
    expect(frames.at(-1)).toMatchObject({
      type: 'error',
      code: 'server_shutting_down',
      retryable: true,
    });
    let refusal: unknown;
    try {
      service.start(request, context());
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ApiException);
    expect(refusal).toMatchObject({ statusCode: 503, headers: { 'Retry-After': '5' } });
  });
});
