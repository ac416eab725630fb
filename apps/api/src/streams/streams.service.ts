import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import {
  ErrorCodes,
  HEARTBEAT_HEADER,
  STREAM_ID_HEADER,
  type ChatRequest,
} from '@tokenstream/stream-contracts';
import { of, type Observable } from 'rxjs';
import type { Principal } from '../shared/principal';
import { ApiException } from '../common/api-exception';
import type { AppConfig } from '../config/app-config';
import { CONFIG } from '../config/config-slices';
import { StreamLimiter } from '../limits/stream-limiter';
import { ModelCatalog } from '../models/model-catalog';
import { ApiMetrics, type StreamApi } from '../metrics/api-metrics';
import { ModelProvider, type ModelRequest } from '../models/model-provider';
import { Generation, LOST_FRAME, STOPPED_FRAME } from './generation';
import { GenerationRegistry } from './generation-registry';
import { deliverStream, EXPIRED, type DeliveryBatch, type DeliverySocket } from './stream-delivery';
import { ReaderLimits } from './reader-limits';
import {
  StoreFullError,
  StreamClosedError,
  StreamStore,
  type IdempotencyClaim,
  type IdempotentStream,
  type StreamInfo,
} from './stream-store';
import { StreamWriter } from './stream-writer';
import type { ReplyKeeper } from './reply-keeper';
import { Admission, type ReaderSlot } from './admission';
import { idempotencyClaim, idempotencyConflict } from './idempotency-key';
import { newUuidV7, uuidV7Time } from '../common/uuid-v7';

/** How long a shutdown waits, after the drain, for readers to receive their last frames. */
export const SHUTDOWN_FLUSH_TIMEOUT_MS = 2_000;

/** Seconds a client is asked to wait before retrying while this instance shuts down. */
const SHUTDOWN_RETRY_AFTER_SECONDS = '5';

/** Seconds a client is asked to wait when the stream store has no room for another reply. */
const STORE_FULL_RETRY_AFTER_SECONDS = '5';

/** Seconds a client is asked to wait when the stream store cannot be reached. */
const STORE_UNAVAILABLE_RETRY_AFTER_SECONDS = '2';

/** Who starts a stream, and how to tell that they already left. */
export interface StartContext {
  requestId: string;
  principal: Principal;
  api?: StreamApi;
  /** True once the client has gone: a stream admitted after that is not started. */
  isClientGone?: () => boolean;
  /** The request's `Idempotency-Key`: a second request with it joins the first one's stream. */
  idempotencyKey?: string;
  /** Keeps the reply in its conversation, when the request named one. */
  keeper?: ReplyKeeper;
}

/** A stream just started (or joined), and the reader slot of the request that asked for it. */
export interface StartedStream {
  streamId: string;
  reader: ReaderSlot;
  /** True when an earlier request with the same `Idempotency-Key` started it. */
  joined: boolean;
  /** The deployment that answers, once one sends some of the reply (unknown for a joined one). */
  servedBy: Promise<string | undefined>;
}

/**
 * Starts generations (which write frames to the store) and delivers streams to readers (who read
 * them from any position): the two halves of a stream's life, kept apart.
 */
@Injectable()
export class StreamsService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(StreamsService.name);

  constructor(
    @Inject(CONFIG.streams) private readonly settings: AppConfig['streams'],
    @Inject(CONFIG.upstream) private readonly upstream: AppConfig['upstream'],
    private readonly provider: ModelProvider,
    private readonly catalog: ModelCatalog,
    private readonly store: StreamStore,
    private readonly registry: GenerationRegistry,
    /** Per-principal limits; without one (in tests of other concerns), nothing is limited. */
    private readonly limiter: StreamLimiter,
    private readonly metrics: ApiMetrics,
    private readonly readers: ReaderLimits,
  ) {
    // The store's size is read at each scrape; this service owns the one store of the process.
    metrics.watchStore(() => store.usage());
  }

  /**
   * Starts generating a reply, or throws an {@link ApiException} before anything starts. Resolves
   * to `undefined`, having started nothing, when the client left while it was admitted.
   */
  async start(
    request: ChatRequest & Pick<ModelRequest, 'openAiBody'>,
    context: StartContext,
  ): Promise<StartedStream | undefined> {
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
    const model = this.catalog.choose(request.model, principal);
    // Held as long as its stream may be read.
    const idempotency = context.idempotencyKey
      ? idempotencyClaim(
          principal.id,
          context.idempotencyKey,
          context.api ?? 'native',
          request,
          this.upstream.totalTimeoutMs + this.settings.retentionMs,
        )
      : undefined;
    if (idempotency) {
      const holder = await this.store.findIdempotent(idempotency.key).catch((error) => {
        this.logger.warn({ err: error }, 'the stream store failed to answer');
        throw storeUnavailable();
      });
      if (holder) return this.join(holder, idempotency, context);
    }
    const streamId = newUuidV7();
    // The request that starts a stream is its first reader, so it counts against the bounds too.
    const admission = new Admission(this.readers.acquire(streamId, principal.id));
    const { keeper } = context;
    let holder: IdempotentStream | undefined;
    try {
      // Before the stream exists, so a refused request generates nothing.
      const promptChars = request.messages.reduce((sum, { content }) => sum + content.length, 0);
      admission.ticketed(await this.limiter.admit(principal, { promptChars, model }));
      if (context.isClientGone?.()) {
        admission.release();
        this.logger.log(
          { requestId: context.requestId, principal: principal.id },
          'client left before its stream started: nothing generated',
        );
        return undefined;
      }
      if (keeper) {
        await keeper.begin(streamId, model);
        admission.kept(keeper);
      }
      holder = await this.store
        .create({ streamId, model, owner: principal.id, idempotency })
        .catch((error: unknown) => {
          if (error instanceof StoreFullError) throw storeFull();
          this.logger.warn({ err: error, streamId }, 'the stream store failed: nothing started');
          throw storeUnavailable();
        });
    } catch (error) {
      admission.release();
      throw error;
    }
    if (holder && idempotency) {
      // Another request with the key made its stream meanwhile (on any instance): join it.
      admission.release();
      return this.join(holder, idempotency, context);
    }
    const { reader, ticket } = admission.started();
    const api = context.api ?? 'native';
    this.metrics.streamStarted(model, api);
    const writer = new StreamWriter(this.store, streamId, {
      onOverLimit: () => generation.interrupt('too-large'),
      onLost: (error) => {
        // Another instance ended it (a stop sent there, or it judged this one lost): not a fault.
        if (error instanceof StreamClosedError) return generation.interrupt('ended-elsewhere');
        this.logger.error({ err: error, streamId }, 'stream lost: its frames cannot be stored');
        generation.interrupt('lost');
      },
    });
    const generation = new Generation(streamId, { ...request, model }, this.provider, {
      place: keeper?.place,
      onFrame: (frame) => {
        writer.write(frame);
        keeper?.frame(frame);
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
        return Promise.all([writer.flushed(), keeper?.end(outcome, stats)]).then(() => undefined);
      },
    });
    this.registry.run(generation);
    return { streamId, reader, joined: false, servedBy: generation.servedBy };
  }

  /**
   * The stream an earlier request with the same key started, for this request to read from its
   * first frame; a `409` if that request was a different one.
   */
  private join(
    holder: IdempotentStream,
    idempotency: IdempotencyClaim,
    context: StartContext,
  ): StartedStream {
    if (holder.fingerprint !== idempotency.fingerprint) throw idempotencyConflict();
    const reader = this.readers.acquire(holder.streamId, context.principal.id);
    this.logger.log(
      { streamId: holder.streamId, requestId: context.requestId, principal: context.principal.id },
      'request joined the reply its Idempotency-Key started',
    );
    return {
      streamId: holder.streamId,
      reader,
      joined: true,
      servedBy: Promise.resolve(undefined),
    };
  }

  /**
   * The frames of `streamId` after position `afterSeq`, then the live tail, in batches to write.
   * Throws a `404` for an unknown or expired stream, a `400` for a position it never reached, and
   * a `429` past the bounds on readers. `reader` is the slot {@link start} took for the request
   * that started the stream; without one, the delivery takes its own.
   */
  async deliver(
    streamId: string,
    afterSeq: number,
    socket: DeliverySocket,
    principal: Principal,
    reader?: ReaderSlot,
  ): Promise<Observable<DeliveryBatch>> {
    let info: StreamInfo;
    try {
      info = await this.ownInfo(streamId, principal);
    } catch (error) {
      reader?.();
      if (error instanceof StreamLostError) return LOST;
      throw error;
    }
    return this.open(info, afterSeq, socket, principal, reader);
  }

  /**
   * Like {@link deliver}, for a reader that comes back: `null` when nothing can follow, as it has
   * the last frame of a finished stream already.
   */
  async resume(
    streamId: string,
    afterSeq: number,
    socket: DeliverySocket,
    principal: Principal,
  ): Promise<Observable<DeliveryBatch> | null> {
    let info: StreamInfo;
    try {
      info = await this.ownInfo(streamId, principal);
    } catch (error) {
      if (error instanceof StreamLostError) return LOST;
      throw error;
    }
    if (info.state === 'finished' && afterSeq === info.lastSeq) return null;
    return this.open(info, afterSeq, socket, principal);
  }

  /** The delivery of a stream the caller owns, after its position and reader slot are checked. */
  private open(
    info: StreamInfo,
    afterSeq: number,
    socket: DeliverySocket,
    principal: Principal,
    reader?: ReaderSlot,
  ): Observable<DeliveryBatch> {
    const { streamId } = info;
    try {
      this.checkPosition(info, afterSeq);
      reader ??= this.readers.acquire(streamId, principal.id);
    } catch (error) {
      reader?.();
      throw error;
    }
    // A client that leaves before the delivery is subscribed gives its slot back all the same.
    const slot = reader;
    if (socket.destroyed) slot();
    else socket.once('close', slot);
    socket.setHeader(STREAM_ID_HEADER, streamId);
    socket.setHeader(HEARTBEAT_HEADER, String(this.settings.heartbeatMs));
    return deliverStream({
      store: this.store,
      streamId,
      afterSeq,
      heartbeatMs: this.settings.heartbeatMs,
      stallTimeoutMs: this.settings.stallTimeoutMs,
      socket,
      whenGone: async () => ((await this.wasLost(streamId)) ? LOST_BATCH : EXPIRED),
      attachReader: (letGo) => {
        const detach = this.registry.attachReader(streamId, letGo);
        return () => {
          detach();
          slot();
        };
      },
    });
  }

  /** A `400` for a position past the stream's last frame: a reader cannot have seen it. */
  private checkPosition(info: StreamInfo, afterSeq: number): void {
    if (afterSeq <= info.lastSeq) return;
    throw new ApiException(
      400,
      ErrorCodes.invalidRequest,
      `Last-Event-ID ${afterSeq} is past the stream's last frame so far (${info.lastSeq}).`,
      [{ path: 'Last-Event-ID', message: `must be at most ${info.lastSeq}` }],
    );
  }

  /**
   * Stops a stream's generation at once, on whichever instance runs it: its readers get `finish:
   * cancelled`; `404` if unknown. A stream that has already finished has nothing to stop:
   * stopping it again is not an error.
   */
  async stop(streamId: string, principal: Principal): Promise<void> {
    let info: StreamInfo;
    try {
      info = await this.ownInfo(streamId, principal);
    } catch (error) {
      if (error instanceof StreamLostError) return; // nothing left to stop
      throw error;
    }
    if (info.state === 'finished' || this.registry.interrupt(streamId, 'stop')) return;
    // Another instance generates it: the stop is written as its last frame, which every reader
    // gets at once, and that instance aborts the upstream request at its next heartbeat.
    try {
      await this.store.append(streamId, [STOPPED_FRAME]);
    } catch (error) {
      if (error instanceof StreamClosedError) return; // it ended meanwhile
      this.logger.warn({ err: error, streamId }, 'the stream store failed: not stopped');
      throw storeUnavailable();
    }
  }

  /**
   * The stream's state if `principal` owns it. Someone else's stream is a `404` exactly like an
   * unknown one, so stream ids cannot be probed.
   */
  private async ownInfo(streamId: string, principal: Principal): Promise<StreamInfo> {
    let info: StreamInfo | undefined;
    try {
      info = await this.store.info(streamId);
    } catch (error) {
      this.logger.warn({ err: error, streamId }, 'the stream store failed to answer');
      throw storeUnavailable();
    }
    if (info) {
      if (info.owner !== principal.id) throw streamNotFound();
      return info;
    }
    if (await this.wasLost(streamId)) throw new StreamLostError();
    throw streamNotFound();
  }

  /**
   * Whether a stream the store does not have was lost with its data (a restart of this instance
   * with the memory store, a Redis that came back empty) rather than never made or expired: it was
   * made before the store's data began, recently enough to be held still.
   */
  private async wasLost(streamId: string): Promise<boolean> {
    const createdAt = uuidV7Time(streamId);
    if (createdAt === undefined) return false;
    const longestLife = this.upstream.totalTimeoutMs + this.settings.retentionMs;
    if (Date.now() - createdAt > longestLife) return false;
    try {
      return createdAt < (await this.store.heldSince());
    } catch (error) {
      this.logger.warn({ err: error, streamId }, 'the stream store failed to answer');
      throw storeUnavailable();
    }
  }

  /**
   * On SIGTERM: refuse new streams, let running ones finish within the drain time, end the rest;
   * with a shared store, let this instance's readers go first, to resume on another.
   */
  async beforeApplicationShutdown(): Promise<void> {
    // Readers of a shared store resume on another instance at once, and read on from the store.
    await this.registry.drain(this.settings.drainMs, SHUTDOWN_FLUSH_TIMEOUT_MS, this.store.shared);
  }
}

/** A stream lost with the store's data (see `wasLost`): its readers are told, retryably. */
class StreamLostError extends Error {}

/**
 * What a reader of a lost stream gets instead of a `404`: a stream of one frame, the retryable
 * `generation_lost` (without an id: it is not part of the stream), so the user can send again.
 */
const LOST_BATCH: DeliveryBatch = [{ frame: LOST_FRAME, json: JSON.stringify(LOST_FRAME) }];
const LOST: Observable<DeliveryBatch> = of(LOST_BATCH);

/** The `503` for a stream that would not fit in the store: every byte is spoken for. */
function storeFull(): ApiException {
  return new ApiException(
    503,
    ErrorCodes.serverBusy,
    'The server is answering as many replies as it can hold. Please try again in a moment.',
    undefined,
    { 'Retry-After': STORE_FULL_RETRY_AFTER_SECONDS },
  );
}

/** The `503` for a store that failed to answer: a shared store out of reach, for a moment. */
function storeUnavailable(): ApiException {
  return new ApiException(
    503,
    ErrorCodes.storeUnavailable,
    'Replies cannot be stored or read right now. Please try again in a moment.',
    undefined,
    { 'Retry-After': STORE_UNAVAILABLE_RETRY_AFTER_SECONDS },
  );
}

function streamNotFound(): ApiException {
  return new ApiException(
    404,
    ErrorCodes.streamNotFound,
    'No such stream: it never existed or has expired.',
  );
}
