import { Inject, Injectable, Logger } from '@nestjs/common';
import { of, type Observable } from 'rxjs';
import type { Principal } from '../shared/principal';
import type { AppConfig } from '../config/app-config';
import { CONFIG } from '../config/config-slices';
import { uuidV7Time } from '../common/uuid-v7';
import type { ReaderSlot } from './admission';
import { LOST_FRAME, STOPPED_FRAME } from './generation';
import { GenerationRegistry } from './generation-registry';
import { ReaderLimits } from './reader-limits';
import { deliverStream, EXPIRED, type DeliveryBatch, type DeliverySocket } from './stream-delivery';
import { positionPastEnd, storeUnavailable, streamNotFound } from './stream-errors';
import { StreamClosedError, StreamStore, type StreamInfo } from './stream-store';
import { SpanAttributes, SpanNames } from '../tracing/span-attributes';
import type { TraceSpan } from '../tracing/trace-span';

/** A stream opened for one reader: the batches to write, and what the response says of it. */
export interface Delivery {
  batches: Observable<DeliveryBatch>;
  /** Absent for a lost stream's one-frame notice, which belongs to no stream. */
  stream?: { id: string; heartbeatMs: number };
}

/** A stream lost with the store's data (see `wasLost`): its readers are told, retryably. */
class StreamLostError extends Error {}

/**
 * What a reader of a lost stream gets instead of a `404`: a stream of one frame, the retryable
 * `generation_lost` (without an id: it is not part of the stream), so the user can send again.
 */
const LOST_BATCH: DeliveryBatch = [{ frame: LOST_FRAME, json: JSON.stringify(LOST_FRAME) }];
const LOST: Delivery = { batches: of(LOST_BATCH) };

/**
 * A stream's readers, on any instance: delivering it from any position and following it live,
 * resuming, stopping it; each only for the caller who owns the stream.
 */
@Injectable()
export class StreamReaders {
  private readonly logger = new Logger(StreamReaders.name);

  constructor(
    @Inject(CONFIG.streams) private readonly settings: AppConfig['streams'],
    private readonly store: StreamStore,
    private readonly registry: GenerationRegistry,
    private readonly readers: ReaderLimits,
  ) {}

  /**
   * The frames of `streamId` after position `afterSeq`, then the live tail, in batches to write,
   * paced by `socket`. Throws a `404` for an unknown or expired stream, a `400` for a position it
   * never reached, and a `429` past the bounds on readers. `reader` is the slot the starter took
   * for the request that started the stream; without one, the delivery takes its own. Traced
   * (`trace`: the request's span), the delivery is a span of its own.
   */
  async deliver(
    streamId: string,
    afterSeq: number,
    socket: DeliverySocket,
    principal: Principal,
    reader?: ReaderSlot,
    trace?: TraceSpan,
  ): Promise<Delivery> {
    let info: StreamInfo;
    try {
      info = await this.ownInfo(streamId, principal);
    } catch (error) {
      reader?.();
      if (error instanceof StreamLostError) return LOST;
      throw error;
    }
    return this.open(info, afterSeq, socket, principal, reader, trace);
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
    trace?: TraceSpan,
  ): Promise<Delivery | null> {
    let info: StreamInfo;
    try {
      info = await this.ownInfo(streamId, principal);
    } catch (error) {
      if (error instanceof StreamLostError) return LOST;
      throw error;
    }
    if (info.state === 'finished' && afterSeq === info.lastSeq) return null;
    return this.open(info, afterSeq, socket, principal, undefined, trace);
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

  /** The delivery of a stream the caller owns, after its position and reader slot are checked. */
  private open(
    info: StreamInfo,
    afterSeq: number,
    socket: DeliverySocket,
    principal: Principal,
    reader?: ReaderSlot,
    trace?: TraceSpan,
  ): Delivery {
    const { streamId } = info;
    try {
      if (afterSeq > info.lastSeq) throw positionPastEnd(afterSeq, info.lastSeq);
      reader ??= this.readers.acquire(streamId, principal.id);
    } catch (error) {
      reader?.();
      throw error;
    }
    // A client that leaves before the delivery is subscribed gives its slot back all the same.
    const slot = reader;
    if (socket.destroyed) slot();
    else socket.once('close', slot);
    const { heartbeatMs, stallTimeoutMs } = this.settings;
    const batches = deliverStream({
      store: this.store,
      streamId,
      afterSeq,
      heartbeatMs,
      stallTimeoutMs,
      socket,
      whenGone: async () => ((await this.wasLost(streamId)) ? LOST_BATCH : EXPIRED),
      attachReader: (letGo) => {
        const detach = this.registry.attachReader(streamId, letGo);
        return () => {
          detach();
          slot();
        };
      },
      span: trace?.child(SpanNames.delivery, {
        [SpanAttributes.streamId]: streamId,
        [SpanAttributes.deliveryFrom]: afterSeq,
      }),
    });
    return { batches, stream: { id: streamId, heartbeatMs } };
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
    if (Date.now() - createdAt > this.settings.readableForMs) return false;
    try {
      return createdAt < (await this.store.heldSince());
    } catch (error) {
      this.logger.warn({ err: error, streamId }, 'the stream store failed to answer');
      throw storeUnavailable();
    }
  }
}
