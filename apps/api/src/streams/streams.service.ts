import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  MessageEvent,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ErrorCodes, KEEP_ALIVE_COMMENT, type ChatRequest } from '@tokenstream/stream-contracts';
import { Observable } from 'rxjs';
import { ApiException } from '../common/api-exception';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { ModelCatalog } from '../models/model-catalog';
import { ModelProvider } from '../models/model-provider';
import { ActiveStreams } from './active-streams';
import { Generation } from './generation';
import { Heartbeat } from './heartbeat';

/** How long a shutdown waits for ended streams' last bytes to reach their clients. */
const SHUTDOWN_FLUSH_TIMEOUT_MS = 2_000;

/** Seconds a client is asked to wait before retrying while this instance shuts down. */
const SHUTDOWN_RETRY_AFTER_SECONDS = '5';

// Nest writes a message with only `comment` as an SSE comment line, which uses up no event id.
const KEEP_ALIVE = { comment: KEEP_ALIVE_COMMENT } as MessageEvent;

/** What the caller of `start` needs: the stream's id (for the header) and its SSE events. */
export interface OpenedStream {
  streamId: string;
  events: Observable<MessageEvent>;
}

/** Starts generations and delivers their frames as SSE message events. */
@Injectable()
export class StreamsService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(StreamsService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly provider: ModelProvider,
    private readonly catalog: ModelCatalog,
    private readonly active: ActiveStreams,
  ) {}

  /**
   * Opens a stream for `request`, or throws an {@link ApiException} before any byte is sent.
   * Nothing runs until the events are subscribed; unsubscribing aborts the upstream request.
   */
  start(
    request: ChatRequest,
    context: { requestId: string; responseClosed: Promise<void> },
  ): OpenedStream {
    if (this.active.isDraining) {
      throw new ApiException(
        503,
        ErrorCodes.serverShuttingDown,
        'The server is restarting. Please try again in a moment.',
        undefined,
        { 'Retry-After': SHUTDOWN_RETRY_AFTER_SECONDS },
      );
    }
    const model = this.catalog.resolve(request.model);
    if (!model) {
      throw new ApiException(
        400,
        ErrorCodes.unknownModel,
        `Unknown model "${request.model}". Available: ${this.catalog.describe().models.join(', ')}.`,
        [{ path: 'model', message: 'is not one of the models this server offers' }],
      );
    }
    const streamId = randomUUID();
    const modelRequest = { ...request, model };
    const events = new Observable<MessageEvent>((subscriber) => {
      let sequence = 0;
      const send = (event: MessageEvent) => {
        subscriber.next(event);
        heartbeat.touch();
      };
      const heartbeat = new Heartbeat(this.config.heartbeatMs, () => subscriber.next(KEEP_ALIVE));
      const generation = new Generation(streamId, modelRequest, this.provider, {
        onFrame: (frame) => send({ id: String(++sequence), data: frame }),
        onEnd: (outcome, stats, failure) => {
          heartbeat.stop();
          const line = {
            streamId,
            requestId: context.requestId,
            model,
            provider: this.provider.kind,
            ...stats,
          };
          if (failure) this.logger.warn({ ...line, err: failure }, 'stream failed');
          else this.logger.log(line, 'stream ended');
          subscriber.complete();
        },
      });
      // A keep-alive at once commits the headers, so the client knows the stream opened.
      send(KEEP_ALIVE);
      this.active.add(generation, context.responseClosed);
      void generation.run();
      return () => {
        heartbeat.stop();
        generation.interrupt('client-gone');
      };
    });
    return { streamId, events };
  }

  /** On SIGTERM: refuse new streams and end running ones with `server_shutting_down`. */
  async beforeApplicationShutdown(): Promise<void> {
    this.logger.log({ activeStreams: this.active.size }, 'shutting down: ending open streams');
    await this.active.drain(SHUTDOWN_FLUSH_TIMEOUT_MS);
  }
}
