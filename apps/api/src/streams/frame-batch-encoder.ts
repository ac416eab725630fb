import {
  encodeFrameJson,
  encodeSseComment,
  KEEP_ALIVE_COMMENT,
} from '@tokenstream/stream-contracts';
import type { DeliveryBatch } from './stream-delivery';

/** A keep-alive on the wire: a comment, which uses up no event id, and a blank line. */
export const KEEP_ALIVE_TEXT = `${encodeSseComment(KEEP_ALIVE_COMMENT)}\n`;

/**
 * A delivery's batch in the native protocol, as one string for one write: each frame an event
 * whose id is its position (the expiry notice has none), from the JSON the store made; an empty
 * batch is a keep-alive. Each frame's event is made once and kept on it (`sse`): the other
 * readers of that frame, handed the same object, send it as it is.
 */
export function encodeFrameBatch(batch: DeliveryBatch): string {
  if (batch.length === 0) return KEEP_ALIVE_TEXT;
  let text = '';
  for (const delivered of batch) {
    const { seq } = delivered;
    delivered.sse ??= encodeFrameJson(delivered.json, seq === undefined ? undefined : String(seq));
    text += delivered.sse;
  }
  return text;
}
