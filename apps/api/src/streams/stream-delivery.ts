import { Logger } from '@nestjs/common';
import {
  ErrorCodes,
  isTerminalFrame,
  type ErrorFrame,
  type StreamFrame,
} from '@tokenstream/stream-contracts';
import { Observable } from 'rxjs';
import { SpanAttributes } from '../tracing/span-attributes';
import type { TraceSpan } from '../tracing/trace-span';
import { SseKeepAlive } from './sse-keep-alive';
import { mergeTextDeltas } from './merge-text-deltas';
import type { StoredFrame, StreamStore } from './stream-store';

/**
 * A frame a delivery hands on: one from the store, with its position, or the delivery's own
 * notice that the stream expired, which has none (it is not part of the stream).
 */
export type DeliveredFrame = Omit<StoredFrame, 'seq'> & { seq?: number };

/**
 * What a delivery emits in one go, to be written in one go: the frames ready, in order, or none,
 * which asks for a keep-alive.
 */
export type DeliveryBatch = readonly DeliveredFrame[];

const KEEP_ALIVE: DeliveryBatch = [];

const EXPIRED_FRAME: ErrorFrame = {
  type: 'error',
  code: ErrorCodes.streamNotFound,
  message: 'This reply has expired and is no longer available.',
  retryable: false,
};
export const EXPIRED: DeliveryBatch = [
  { frame: EXPIRED_FRAME, json: JSON.stringify(EXPIRED_FRAME) },
];

/**
 * The most frames sent in one turn of the event loop. The next turn comes only once they are
 * written, so a reader that does not read holds about this many frames of the api's memory, on top
 * of what its socket buffers; the rest stay in the store until the socket drains.
 */
export const MAX_FRAMES_PER_TURN = 64;

/** How long a reader waits before each new try when the store fails to answer, before it lets go. */
const READ_RETRY_DELAYS_MS = [100, 300, 1_000];

const logger = new Logger('StreamDelivery');

/** The response a delivery writes to, as far as pacing goes (an Express response is one). */
export interface DeliverySocket {
  readonly writableNeedDrain: boolean;
  /** True once the client has gone (or the connection was closed). */
  readonly destroyed: boolean;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain', listener: () => void): unknown;
  /** Closes the connection (a reader whose socket accepted nothing for too long). */
  destroy(): unknown;
}

/** Where and from which position a delivery reads. */
export interface DeliveryOptions {
  store: StreamStore;
  streamId: string;
  /** Deliver the frames after this position (0: from the start). */
  afterSeq: number;
  heartbeatMs: number;
  /** How long the socket may accept nothing before the connection is closed. */
  stallTimeoutMs: number;
  socket: DeliverySocket;
  /**
   * What the reader is told when the stream is no longer in the store: that it expired, unless
   * told otherwise (a stream lost with the store's data is told so, retryably).
   */
  whenGone?: () => Promise<DeliveryBatch>;
  /**
   * Counts the reader in when it starts reading, with what lets it go (ends it without a last
   * frame, so that it resumes elsewhere); returns what counts it out, however it goes.
   */
  attachReader: (letGo: () => void) => () => void;
  /** The delivery's span, when traced: it ends with the delivery, saying how. */
  span?: TraceSpan;
}

/** How a delivery ended, for its span: its last frame's finish reason or error code, or `left`. */
function deliveryOutcome(last: StreamFrame | undefined): string {
  if (last?.type === 'finish') return last.finishReason;
  return last?.type === 'error' ? last.code : 'left';
}

/**
 * One reader of one stream: replays the frames after `afterSeq`, then follows the live tail until
 * the stream's last frame, with a keep-alive at once and whenever it has been quiet. Each batch it
 * emits is what is ready at that moment, to be written to the socket in one write. It reads at
 * the socket's pace, replay included: at most {@link MAX_FRAMES_PER_TURN} frames a turn, none
 * while the socket is full; after waiting for `drain` it sends what piled up with consecutive text
 * deltas merged. A reader that is caught up is sent the frames the store hands its watchers as
 * they are appended, with no read: the usual case of the live tail, one token at a time. A socket
 * that accepts nothing for `stallTimeoutMs` is closed: the reader resumes later from its last id.
 * Unsubscribing detaches the reader.
 */
export function deliverStream(options: DeliveryOptions): Observable<DeliveryBatch> {
  const { store, streamId, heartbeatMs, stallTimeoutMs, socket } = options;
  return new Observable<DeliveryBatch>((subscriber) => {
    let position = options.afterSeq;
    let lastFrame: StreamFrame | undefined;
    let fellBehind = false;
    let waitingForDrain: (() => void) | undefined;
    let stallTimer: ReturnType<typeof setTimeout> | undefined;
    let nextTurn: ReturnType<typeof setImmediate> | undefined;
    // A full socket would only queue keep-alives in this process: it is not idle, just slow.
    const keepAlive = new SseKeepAlive(heartbeatMs, () => {
      if (!socket.writableNeedDrain) subscriber.next(KEEP_ALIVE);
    });

    const send = (batch: DeliveryBatch) => {
      subscriber.next(batch);
      keepAlive.touch();
    };

    const waitForDrain = () => {
      fellBehind = true;
      if (waitingForDrain) return;
      waitingForDrain = () => {
        waitingForDrain = undefined;
        clearTimeout(stallTimer);
        pump();
      };
      socket.once('drain', waitingForDrain);
      stallTimer = setTimeout(() => {
        logger.log(
          { streamId, position, stallTimeoutMs },
          'reader closed: its socket took nothing',
        );
        socket.destroy();
      }, stallTimeoutMs);
    };

    // One read at a time: `wanted` notes that more may have arrived while one was in flight.
    let reading = false;
    let wanted = false;
    let failedReads = 0;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;

    const pump = () => {
      wanted = true;
      if (!reading && !nextTurn && !retryTimer && !subscriber.closed) void readOn();
    };

    /**
     * Sends frames of the store, read or handed over, merged if the reader fell behind, and ends
     * the delivery after the stream's last frame; returns whether it did.
     */
    const sendFrames = (frames: readonly StoredFrame[]): boolean => {
      const batch = fellBehind ? mergeTextDeltas(frames) : frames;
      fellBehind = false;
      const last = batch[batch.length - 1];
      position = last.seq;
      send(batch);
      if (!isTerminalFrame(last.frame)) return false;
      lastFrame = last.frame;
      subscriber.complete();
      return true;
    };

    /**
     * The store's news of the stream. Frames it hands over that follow the reader's position, no
     * more than a turn's, are sent there and then if nothing else is under way: no read in flight
     * (its frames come first), no next turn or retry waiting, no full socket (what comes meanwhile
     * stays in the store until it drains). Otherwise the reader reads, as for any news without
     * frames: whatever the reader is missing, a read finds it in order.
     */
    const onChange = (appended?: readonly StoredFrame[]) => {
      if (
        appended !== undefined &&
        appended.length > 0 &&
        appended.length <= MAX_FRAMES_PER_TURN &&
        appended[0].seq === position + 1 &&
        !reading &&
        !nextTurn &&
        !retryTimer &&
        !waitingForDrain &&
        !socket.writableNeedDrain &&
        !subscriber.closed
      ) {
        sendFrames(appended);
      } else {
        pump();
      }
    };

    const readOn = async () => {
      reading = true;
      try {
        while (wanted && !subscriber.closed) {
          if (socket.writableNeedDrain) return waitForDrain();
          wanted = false;
          const frames = await store.read(streamId, position, MAX_FRAMES_PER_TURN);
          failedReads = 0;
          if (subscriber.closed) return;
          if (!frames) {
            const notice = options.whenGone ? await options.whenGone() : EXPIRED;
            if (subscriber.closed) return;
            send(notice);
            lastFrame = notice[0]?.frame;
            return subscriber.complete();
          }
          if (frames.length === 0) continue;
          if (sendFrames(frames)) return;
          if (frames.length === MAX_FRAMES_PER_TURN) {
            // More may wait: let the socket take these before reading on.
            nextTurn = setImmediate(() => {
              nextTurn = undefined;
              pump();
            });
            return;
          }
        }
      } catch (error) {
        // The store could not be read (a shared store slow or out of reach). A few tries first: a
        // busy moment passes. Then the response ends without a last frame, as when a connection
        // drops: the client resumes from its last id, with its own backoff, and reads on once the
        // store is back; the reply may still be generating.
        const delayMs = READ_RETRY_DELAYS_MS[failedReads++];
        if (delayMs === undefined) {
          logger.warn({ err: error, streamId, position }, 'reader let go: the store failed');
          return subscriber.complete();
        }
        wanted = true;
        retryTimer = setTimeout(() => {
          retryTimer = undefined;
          pump();
        }, delayMs);
      } finally {
        reading = false;
      }
    };

    const detachReader = options.attachReader(() => subscriber.complete());
    const unwatch = store.watch(streamId, onChange);
    send(KEEP_ALIVE); // at once: it commits the headers, so the client knows the stream opened
    pump();
    return () => {
      unwatch();
      keepAlive.stop();
      clearTimeout(stallTimer);
      clearImmediate(nextTurn);
      clearTimeout(retryTimer);
      if (waitingForDrain) socket.off('drain', waitingForDrain);
      detachReader();
      options.span?.end({
        [SpanAttributes.deliveryTo]: position,
        [SpanAttributes.outcome]: deliveryOutcome(lastFrame),
      });
    };
  });
}
