import { Logger } from '@nestjs/common';
import { EVENT_STREAM_CONTENT_TYPE } from '@tokenstream/stream-contracts';
import type { Response } from 'express';
import type { Observable } from 'rxjs';

const logger = new Logger('EventStream');

/** As the protocol's README documents it (the value Nest's `@Sse()` sent before this writer). */
const EVENT_STREAM_CACHE_CONTROL =
  'private, no-cache, no-store, must-revalidate, max-age=0, no-transform';

/**
 * Answers `res` with an event stream: `200`, the event-stream headers (no caching, no compression
 * or buffering by proxies), and every value `body` emits written as `encode` turns it into text,
 * one write each. The response ends when `body` completes, and `body` is unsubscribed when the
 * client leaves, which is how the producer learns it is gone.
 *
 * Both APIs' streams go through here rather than through Nest's `@Sse()`, which writes one
 * message at a time through a Transform stream and a promise per write: a delivery already paces
 * itself by the socket (`writableNeedDrain`) and hands over what is ready in one batch, so the
 * batch is written in one write (bench/README.md, "Production scale").
 */
export function sendEventStream<T>(
  res: Response,
  body: Observable<T>,
  encode: (value: T) => string | Uint8Array,
): void {
  res.status(200);
  res.setHeader('Content-Type', EVENT_STREAM_CONTENT_TYPE);
  // No cache anywhere, and no proxy may compress it (which would hold frames back).
  res.setHeader('Cache-Control', EVENT_STREAM_CACHE_CONTROL);
  res.setHeader('Pragma', 'no-cache');
  // nginx must not buffer it.
  res.setHeader('X-Accel-Buffering', 'no');
  const subscription = body.subscribe({
    next: (value) => void res.write(encode(value)),
    complete: () => void res.end(),
    error: (error: unknown) => {
      // Deliveries end with a frame, not an error: this is a bug, reported and closed off.
      logger.error({ err: error }, 'event stream failed');
      res.end();
    },
  });
  // The client may have left while the stream was being opened, before this listener.
  if (res.destroyed) subscription.unsubscribe();
  else res.once('close', () => subscription.unsubscribe());
}
