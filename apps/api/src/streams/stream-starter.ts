import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import type { ChatRequest } from '@tokenstream/stream-contracts';
import type { LimitStandings } from '../shared/limit-standing';
import type { Principal } from '../shared/principal';
import type { AppConfig } from '../config/app-config';
import { CONFIG } from '../config/config-slices';
import { Budgets } from '../budgets/budgets';
import { StreamLimiter } from '../limits/stream-limiter';
import { UsageLog } from '../usage/usage-log';
import { ModelCatalog } from '../models/model-catalog';
import { ApiMetrics, type StreamApi } from '../metrics/api-metrics';
import { ModelProvider, type ModelRequest } from '../models/model-provider';
import { newUuidV7 } from '../common/uuid-v7';
import { Admission, type AdmittedStream, type ReaderSlot } from './admission';
import { Generation } from './generation';
import { GenerationRegistry } from './generation-registry';
import { idempotencyClaim } from './idempotency-key';
import { ReaderLimits } from './reader-limits';
import type { ReplyKeeper } from './reply-keeper';
import type { TraceSpan } from '../tracing/trace-span';
import { idempotencyConflict, shuttingDown, storeFull, storeUnavailable } from './stream-errors';
import {
  StoreFullError,
  StreamClosedError,
  StreamStore,
  type IdempotencyClaim,
  type IdempotentStream,
} from './stream-store';

/** How long a shutdown waits, after the drain, for readers to receive their last frames. */
export const SHUTDOWN_FLUSH_TIMEOUT_MS = 2_000;

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
  /** Told where the caller's limits stand once the limits admit it (OpenAI's headers need it). */
  onAdmitted?: (standing: LimitStandings) => void;
  /** The request's span, when traced: the admission and the upstream calls are its children. */
  trace?: TraceSpan;
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

type StartRequest = ChatRequest & Pick<ModelRequest, 'openAiBody' | 'trace'>;

/**
 * Starts generations, which write a reply's frames to the store: admits the request (limits,
 * reader bounds, its conversation turn), or joins the stream its `Idempotency-Key` started, and on
 * shutdown drains what runs. Reading the frames is {@link StreamReaders}' part.
 */
@Injectable()
export class StreamStarter implements BeforeApplicationShutdown {
  private readonly logger = new Logger(StreamStarter.name);

  constructor(
    @Inject(CONFIG.streams) private readonly settings: AppConfig['streams'],
    private readonly provider: ModelProvider,
    private readonly catalog: ModelCatalog,
    private readonly store: StreamStore,
    private readonly registry: GenerationRegistry,
    private readonly limiter: StreamLimiter,
    private readonly metrics: ApiMetrics,
    private readonly readers: ReaderLimits,
    private readonly budgets: Budgets,
    private readonly usage: UsageLog,
  ) {
    // The store's size is read at each scrape; the starter owns the one store of the process.
    metrics.watchStore(() => store.usage());
  }

  /**
   * Starts generating a reply, or throws an `ApiException` before anything starts. Resolves to
   * `undefined`, having started nothing, when the client left while it was admitted.
   */
  async start(request: StartRequest, context: StartContext): Promise<StartedStream | undefined> {
    if (this.registry.isDraining) throw shuttingDown();
    const { principal } = context;
    const model = this.catalog.choose(request.model, principal);
    // Held as long as its stream may be read.
    const idempotency = context.idempotencyKey
      ? idempotencyClaim(
          principal.id,
          context.idempotencyKey,
          context.api ?? 'native',
          request,
          this.settings.readableForMs,
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
    const admission = new Admission(this.readers.acquire(streamId, principal.id), context.trace);
    let holder: IdempotentStream | undefined;
    const promptChars = request.messages.reduce((sum, { content }) => sum + content.length, 0);
    try {
      // Before the stream exists, so a refused request generates nothing.
      await this.budgets.check(principal);
      const ticket = await this.limiter.admit(principal, { promptChars, model });
      admission.ticketed(ticket);
      context.onAdmitted?.(ticket.standing);
      if (context.isClientGone?.()) {
        admission.release();
        this.logger.log(
          { requestId: context.requestId, principal: principal.id },
          'client left before its stream started: nothing generated',
        );
        return undefined;
      }
      if (context.keeper) {
        await context.keeper.begin(streamId, model);
        admission.kept(context.keeper);
      }
      holder = await this.store
        .create({ streamId, model, owner: principal.id, idempotency })
        .catch((error: unknown) => {
          if (error instanceof StoreFullError) throw storeFull();
          this.logger.warn({ err: error, streamId }, 'the stream store failed: nothing started');
          throw storeUnavailable();
        });
    } catch (error) {
      admission.release(error);
      throw error;
    }
    if (holder && idempotency) {
      // Another request with the key made its stream meanwhile (on any instance): join it.
      admission.release();
      return this.join(holder, idempotency, context);
    }
    const admitted = admission.started();
    const generation = this.generate(
      streamId,
      { ...request, model, trace: context.trace },
      context,
      admitted,
      promptChars,
    );
    return { streamId, reader: admitted.reader, joined: false, servedBy: generation.servedBy };
  }

  /**
   * Runs the generation of an admitted stream: each frame it makes goes to the store (through the
   * store's writer: at once in memory, batched for a shared store) and to the conversation's
   * keeper; its end settles the limit ticket, the metrics and the log line, and resolves once both
   * have the last frame.
   */
  private generate(
    streamId: string,
    request: StartRequest & { model: string },
    context: StartContext,
    { ticket }: AdmittedStream,
    promptChars: number,
  ): Generation {
    const { keeper, principal } = context;
    const api = context.api ?? 'native';
    const { model } = request;
    this.metrics.streamStarted(model, api);
    const writer = this.store.writer(streamId, {
      onOverLimit: () => generation.interrupt('too-large'),
      onLost: (error) => {
        // Another instance ended it (a stop sent there, or it judged this one lost): not a fault.
        if (error instanceof StreamClosedError) return generation.interrupt('ended-elsewhere');
        this.logger.error({ err: error, streamId }, 'stream lost: its frames cannot be stored');
        generation.interrupt('lost');
      },
    });
    const generation = new Generation(streamId, request, this.provider, {
      place: keeper?.place,
      onFrame: (frame) => {
        writer.write(frame);
        keeper?.frame(frame);
      },
      onEnd: (outcome, stats, failure) => {
        void ticket.end({ completionChars: stats.chars, usage: stats.usage });
        this.usage.recordReply({
          principal,
          api,
          model: stats.servedModel ?? model,
          deployment: stats.deployment,
          usage: stats.usage,
          promptChars,
          completionChars: stats.chars,
          ttftMs: stats.ttftMs,
          durationMs: stats.durationMs ?? 0,
          outcome: stats.finishReason ?? stats.errorCode ?? 'unknown',
        });
        const line = {
          streamId,
          requestId: context.requestId,
          principal: principal.id,
          api,
          model,
          provider: this.provider.kind,
          ...stats,
          ...context.trace?.ids,
        };
        this.metrics.streamEnded(model, api, stats);
        if (failure) this.logger.warn({ ...line, err: failure }, 'stream failed');
        else this.logger.log(line, 'stream ended');
        return Promise.all([writer.flushed(), keeper?.end(outcome, stats)]).then(() => undefined);
      },
    });
    this.registry.run(generation);
    return generation;
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
   * On SIGTERM: refuse new streams, let running ones finish within the drain time, end the rest;
   * with a shared store, let this instance's readers go first, to resume on another.
   */
  async beforeApplicationShutdown(): Promise<void> {
    // Readers of a shared store resume on another instance at once, and read on from the store.
    await this.registry.drain(this.settings.drainMs, SHUTDOWN_FLUSH_TIMEOUT_MS, this.store.shared);
  }
}
