import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  MessageEvent,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  ErrorCodes,
  HEARTBEAT_HEADER,
  STREAM_ID_HEADER,
  type ChatRequest,
} from '@tokenstream/stream-contracts';
import type { Observable } from 'rxjs';
import type { Principal } from '../auth/principal';
import { ApiException } from '../common/api-exception';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { StreamLimiter } from '../limits/stream-limiter';
import { ModelCatalog } from '../models/model-catalog';
import { ApiMetrics, type StreamApi } from '../metrics/api-metrics';
import { ModelProvider } from '../models/model-provider';
import { Generation } from './generation';
import { GenerationRegistry } from './generation-registry';
import { deliverStream, type DeliverySocket } from './stream-delivery';
import { StreamStore, type StreamInfo } from './stream-store';

/** How long a shutdown waits, after the drain, for readers to receive their last frames. */
const SHUTDOWN_FLUSH_TIMEOUT_MS = 2_000;

/** Seconds a client is asked to wait before retrying while this instance shuts down. */
const SHUTDOWN_RETRY_AFTER_SECONDS = '5';

/**
 * Starts generations (which write frames to the store) and delivers streams to readers (who read
 * them from any position): the two halves of a stream's life, kept apart.
 */
@Injectable()
export class StreamsService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(StreamsService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly provider: ModelProvider,
    private readonly catalog: ModelCatalog,
    private readonly store: StreamStore,
    private readonly registry: GenerationRegistry,
    /** Per-principal limits; without one (in tests of other concerns), nothing is limited. */
    private readonly limiter: StreamLimiter,
    private readonly metrics: ApiMetrics,
  ) {
    // The store's size is read at each scrape; this service owns the one store of the process.
    metrics.watchStore(() => store.usage());
  }

  /** Starts generating a reply and returns its stream id, or throws an {@link ApiException}. */
  async start(
    request: ChatRequest,
    context: { requestId: string; principal: Principal; api?: StreamApi },
  ): Promise<string> {
    if (this.registry.isDraining) {
      throw new ApiException(
        503,
        ErrorCodes.serverShuttingDown,
        'The server is restarting. Please try again in a moment.',
        undefined,
        { 'Retry-After': SHUTDOWN_RETRY_AFTER_SECONDS },
      );
    }
    const { principal } = context;
    const choice = this.catalog.resolve(request.model, principal);
    if (!choice.ok) {
      const available = this.catalog.allowedFor(principal).join(', ') || 'none';
      if (choice.reason === 'unknown') {
        throw new ApiException(
          400,
          ErrorCodes.unknownModel,
          `Unknown model "${request.model}". Available: ${available}.`,
          [{ path: 'model', message: 'is not one of the models this server offers' }],
        );
      }
      throw new ApiException(
        403,
        ErrorCodes.modelNotAllowed,
        `You may not use the model "${request.model ?? 'default'}". Available to you: ${available}.`,
        [{ path: 'model', message: 'is not one of the models you may use' }],
      );
    }
    const { model } = choice;
    // Before the stream exists, so a refused request generates nothing.
    const ticket = await this.limiter.admit(principal, request);
    const streamId = randomUUID();
    this.store.create(streamId, model, principal.id);
    const api = context.api ?? 'native';
    this.metrics.streamStarted(model, api);
    const generation = new Generation(streamId, { ...request, model }, this.provider, {
      onFrame: (frame) => {
        const { overLimit } = this.store.append(streamId, frame);
        if (overLimit) generation.interrupt('too-large');
      },
      onEnd: (outcome, stats, failure) => {
        void ticket.end({ completionChars: stats.chars, usage: stats.usage });
        const line = {
          streamId,
          requestId: context.requestId,
          principal: principal.id,
          api,
          model,
          provider: this.provider.kind,
          ...stats,
        };
        this.metrics.streamEnded(model, api, stats);
        if (failure) this.logger.warn({ ...line, err: failure }, 'stream failed');
        else this.logger.log(line, 'stream ended');
      },
    });
    this.registry.run(generation);
    return streamId;
  }

  /**
   * The frames of `streamId` after position `afterSeq`, then the live tail, as SSE message events.
   * Throws a `404` for an unknown or expired stream and a `400` for a position it never reached.
   */
  deliver(
    streamId: string,
    afterSeq: number,
    socket: DeliverySocket,
    principal: Principal,
  ): Observable<MessageEvent> {
    const info = this.ownInfo(streamId, principal);
    if (afterSeq > info.lastSeq && info.state === 'finished') {
      throw new ApiException(
        400,
        ErrorCodes.invalidRequest,
        `Last-Event-ID ${afterSeq} is past the stream's last frame (${info.lastSeq}).`,
        [{ path: 'Last-Event-ID', message: `must be at most ${info.lastSeq}` }],
      );
    }
    socket.setHeader(STREAM_ID_HEADER, streamId);
    socket.setHeader(HEARTBEAT_HEADER, String(this.config.heartbeatMs));
    return deliverStream({
      store: this.store,
      registry: this.registry,
      streamId,
      afterSeq,
      heartbeatMs: this.config.heartbeatMs,
      socket,
    });
  }

  /** Stops a stream's generation at once (its readers get `finish: cancelled`); `404` if unknown. */
  stop(streamId: string, principal: Principal): void {
    this.ownInfo(streamId, principal);
    // A stream that has already finished has nothing to stop: stopping it again is not an error.
    this.registry.interrupt(streamId, 'stop');
  }

  /**
   * The stream's state if `principal` owns it. Someone else's stream is a `404` exactly like an
   * unknown one, so stream ids cannot be probed.
   */
  private ownInfo(streamId: string, principal: Principal): StreamInfo {
    const info = this.store.info(streamId);
    if (!info || info.owner !== principal.id) throw streamNotFound();
    return info;
  }

  /** On SIGTERM: refuse new streams, let running ones finish within the drain time, end the rest. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.registry.drain(this.config.streams.drainMs, SHUTDOWN_FLUSH_TIMEOUT_MS);
  }
}

function streamNotFound(): ApiException {
  return new ApiException(
    404,
    ErrorCodes.streamNotFound,
    'No such stream: it never existed or has expired.',
  );
}
