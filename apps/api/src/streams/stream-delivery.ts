import type { MessageEvent } from '@nestjs/common';
import {
  ErrorCodes,
  KEEP_ALIVE_COMMENT,
  isTerminalFrame,
  type ErrorFrame,
} from '@tokenstream/stream-contracts';
import { Observable } from 'rxjs';
import type { GenerationRegistry } from './generation-registry';
import { Heartbeat } from './heartbeat';
import { mergeTextDeltas } from './merge-text-deltas';
import type { StreamStore } from './stream-store';

// Nest writes a message with only `comment` as an SSE comment line, which uses up no event id.
const KEEP_ALIVE = { comment: KEEP_ALIVE_COMMENT } as MessageEvent;

const EXPIRED: ErrorFrame = {
  type: 'error',
  code: ErrorCodes.streamNotFound,
  message: 'This reply has expired and is no longer available.',
  retryable: false,
};

/** The response a delivery writes to, as far as headers and pacing go (an Express response is one). */
export interface DeliverySocket {
  readonly writableNeedDrain: boolean;
  once(event: 'drain', listener: () => void): unknown;
  off(event: 'drain', listener: () => void): unknown;
  setHeader(name: string, value: string): unknown;
}

/** Where and from which position a delivery reads. */
export interface DeliveryOptions {
  store: StreamStore;
  registry: GenerationRegistry;
  streamId: string;
  /** Deliver the frames after this position (0: from the start). */
  afterSeq: number;
  heartbeatMs: number;
  socket: DeliverySocket;
}

/**
 * One reader of one stream: replays the frames after `afterSeq`, then follows the live tail until
 * the stream's last frame, with a keep-alive at once and whenever it has been quiet. It reads at
 * the socket's pace: while the socket is full it waits for `drain`, and then sends what piled up
 * with consecutive text deltas merged, so a slow reader costs no memory beyond the store's.
 * Unsubscribing detaches the reader (which may start the generation's grace period).
 */
export function deliverStream(options: DeliveryOptions): Observable<MessageEvent> {
  const { store, registry, streamId, heartbeatMs, socket } = options;
  return new Observable<MessageEvent>((subscriber) => {
    let position = options.afterSeq;
    let pumping = false;
    let again = false;
    let fellBehind = false;
    let waitingForDrain: (() => void) | undefined;
    const heartbeat = new Heartbeat(heartbeatMs, () => subscriber.next(KEEP_ALIVE));
    const detachReader = registry.attachReader(streamId);

    const send = (event: MessageEvent) => {
      subscriber.next(event);
      heartbeat.touch();
    };

    const pump = () => {
      if (subscriber.closed) return;
      if (pumping) {
        again = true; // a frame arrived while sending: go round once more
        return;
      }
      pumping = true;
      try {
        do {
          again = false;
          if (socket.writableNeedDrain) {
            fellBehind = true;
            if (!waitingForDrain) {
              waitingForDrain = () => {
                waitingForDrain = undefined;
                pump();
              };
              socket.once('drain', waitingForDrain);
            }
            return;
          }
          const frames = store.read(streamId, position);
          if (!frames) {
            send({ data: EXPIRED });
            return subscriber.complete();
          }
          const batch = fellBehind ? mergeTextDeltas(frames) : frames;
          fellBehind = false;
          for (const { seq, frame } of batch) {
            send({ id: String(seq), data: frame });
            position = seq;
            if (isTerminalFrame(frame)) return subscriber.complete();
          }
        } while (again);
      } finally {
        pumping = false;
      }
    };

    const unwatch = store.watch(streamId, pump);
    send(KEEP_ALIVE); // at once: it commits the headers, so the client knows the stream opened
    pump();
    return () => {
      unwatch();
      heartbeat.stop();
      if (waitingForDrain) socket.off('drain', waitingForDrain);
      detachReader();
    };
  });
}
