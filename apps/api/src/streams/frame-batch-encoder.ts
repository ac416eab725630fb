import {
  encodeFrameJson,
  encodeSseComment,
  KEEP_ALIVE_COMMENT,
} from '@tokenstream/stream-contracts';
import type { DeliveredFrame, DeliveryBatch } from './stream-delivery';

/** A keep-alive on the wire: a comment, which uses up no event id, and a blank line. */
export const KEEP_ALIVE_TEXT = `${encodeSseComment(KEEP_ALIVE_COMMENT)}\n`;

/**
 * A delivery's batch in the native protocol, as the bytes of one write: each frame an event whose
 * id is its position (the expiry notice has none), from the JSON the store made; an empty batch
 * is a keep-alive. Each frame's event is encoded once and kept on it (`sse`): the other readers of
 * that frame, handed the same object, send the same bytes. Bytes rather than text: a socket
 * written a string encodes it again for every write, and the chunked encoding measures it first
 * (bench/README.md, "A token pushed").
 */
export function encodeFrameBatch(batch: DeliveryBatch): Buffer {
  if (batch.length === 0) return KEEP_ALIVE_BYTES;
  if (batch.length === 1) return eventOf(batch[0]);
  return Buffer.concat(batch.map(eventOf));
}

const KEEP_ALIVE_BYTES = Buffer.from(KEEP_ALIVE_TEXT);

function eventOf(delivered: DeliveredFrame): Buffer {
  const { seq } = delivered;
  return (delivered.sse ??= Buffer.from(
    encodeFrameJson(delivered.json, seq === undefined ? undefined : String(seq)),
  ));
}
