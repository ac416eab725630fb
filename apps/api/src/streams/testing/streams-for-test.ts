import type { ChatRequest } from '@tokenstream/stream-contracts';
import { PassThrough } from 'node:stream';
import { lastValueFrom, mergeAll, toArray } from 'rxjs';
import type { Principal } from '../../shared/principal';
import { loadAppConfig } from '../../config/app-config';
import { MemoryLimitStore } from '../../limits/memory-limit-store';
import { NO_LIMIT, type PrincipalLimits } from '../../shared/principal-limits';
import { StreamLimiter } from '../../limits/stream-limiter';
import { Budgets } from '../../budgets/budgets';
import { Database } from '../../database/database';
import { ApiMetrics } from '../../metrics/api-metrics';
import { UsageKeptInMemory } from '../../usage/testing/usage-kept-in-memory';
import { DemoModelProvider } from '../../models/demo-model-provider';
import { ModelCatalog } from '../../models/model-catalog';
import { GenerationRegistry } from '../generation-registry';
import { MemoryStreamStore } from '../memory-stream-store';
import { ReaderLimits } from '../reader-limits';
import type { DeliveredFrame } from '../stream-delivery';
import { StreamReaders } from '../stream-readers';
import { StreamStarter } from '../stream-starter';

const UNLIMITED: PrincipalLimits = {
  concurrentStreams: NO_LIMIT,
  requestsPerMinute: NO_LIMIT,
  tokensPerDay: NO_LIMIT,
};

/** A response-like socket that reads everything written to it and records its headers. */
export function readingSocket() {
  const headers: Record<string, string> = {};
  const stream = Object.assign(new PassThrough(), {
    headers,
    setHeader: (name: string, value: string) => (headers[name] = value),
  });
  stream.resume();
  return stream;
}

/**
 * A real {@link StreamStarter} and {@link StreamReaders} over the demo model, the memory stores and no limits unless
 * given: `env` is read as the api reads its environment.
 */
export function streamsForTest(
  options: {
    tokenDelayMs?: number;
    limits?: Partial<PrincipalLimits>;
    env?: Record<string, string>;
  } = {},
) {
  const config = loadAppConfig({ STREAM_HEARTBEAT_MS: '60000', ...options.env });
  const store = new MemoryStreamStore(config.streams);
  const registry = new GenerationRegistry(config.streams.resumeGraceMs);
  const limitStore = new MemoryLimitStore();
  const readerLimits = new ReaderLimits(config.streams.maxReaders);
  const metrics = new ApiMetrics({ defaultMetrics: false });
  const usage = new UsageKeptInMemory();
  const starter = new StreamStarter(
    config.streams,
    new DemoModelProvider(options.tokenDelayMs ?? 0),
    new ModelCatalog(config.models),
    store,
    registry,
    new StreamLimiter({ ...UNLIMITED, ...options.limits }, limitStore),
    metrics,
    readerLimits,
    new Budgets(config.auth, new Database(config.database), usage, metrics),
    usage,
  );
  const readers = new StreamReaders(config.streams, store, registry, readerLimits);
  /** Starts a stream for `principal` and returns its id (its first reader's slot given back). */
  const start = async (
    principal: Principal,
    request: ChatRequest = DEFAULT_REQUEST,
  ): Promise<string> => {
    const started = await starter.start(request, { requestId: 'r', principal });
    if (!started) throw new Error('the stream did not start');
    started.reader();
    return started.streamId;
  };
  /** Every frame a reader from the start gets, to the stream's end. */
  const readToEnd = async (streamId: string, principal: Principal): Promise<DeliveredFrame[]> =>
    lastValueFrom(
      (await readers.deliver(streamId, 0, readingSocket(), principal)).batches.pipe(
        mergeAll(),
        toArray(),
      ),
    );
  return { config, starter, readers, store, registry, limitStore, usage, start, readToEnd };
}

const DEFAULT_REQUEST: ChatRequest = { messages: [{ role: 'user', content: 'Hi' }] };
