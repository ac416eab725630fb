import { HEARTBEAT_HEADER, STREAM_ID_HEADER } from '@tokenstream/stream-contracts';
import type { Response } from 'express';
import { sendEventStream } from '../common/event-stream-response';
import { encodeFrameBatch } from './frame-batch-encoder';
import type { Delivery } from './stream-readers';

/** Names the delivered stream and its keep-alive pace in the response's headers. */
export function setDeliveryHeaders(
  res: { setHeader(name: string, value: string): unknown },
  delivery: Delivery,
): void {
  if (!delivery.stream) return;
  res.setHeader(STREAM_ID_HEADER, delivery.stream.id);
  res.setHeader(HEARTBEAT_HEADER, String(delivery.stream.heartbeatMs));
}

/** Answers `res` with a delivery in the native protocol: its headers, then its frames. */
export function sendDelivery(res: Response, delivery: Delivery): void {
  setDeliveryHeaders(res, delivery);
  sendEventStream(res, delivery.batches, encodeFrameBatch);
}
