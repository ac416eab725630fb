import { isStreamFrame, ReceivedFrame, StreamFrame, StreamFrameType } from './frames';
import { createSseParser, SseEvent } from './sse-parser';
import { StreamProtocolError } from './stream-protocol-error';

/** Extra hooks for {@link readFrames}. */
export interface ReadFramesOptions {
  /** Called for each SSE comment (e.g. `keep-alive`), so a client can feed an idle watchdog. */
  onComment?(text: string): void;
}

// A record, not an array, so adding a frame type to the union fails to compile until it is here.
const KNOWN_FRAME_TYPES: Readonly<Record<StreamFrameType, true>> = {
  start: true,
  'text-delta': true,
  'reasoning-delta': true,
  'openai-chunks': true,
  finish: true,
  error: true,
};

function isKnownFrameType(type: string): boolean {
  return Object.prototype.hasOwnProperty.call(KNOWN_FRAME_TYPES, type);
}

// The frame an event carries; `undefined` for a frame of a type this client does not know yet.
function toFrame(event: SseEvent): StreamFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(event.data);
  } catch {
    throw new StreamProtocolError('Stream event data is not valid JSON', event.data);
  }
  if (isStreamFrame(value)) return value;
  const type: unknown =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)['type']
      : undefined;
  if (typeof type !== 'string') {
    throw new StreamProtocolError('Stream event is not a frame (no string "type")', event.data);
  }
  // Forward compatibility: a newer api may add frame types; an older client skips them rather
  // than failing the whole reply. A known type that is malformed, though, is a broken stream.
  if (!isKnownFrameType(type)) return undefined;
  throw new StreamProtocolError(`Malformed "${type}" frame`, event.data);
}

function abortReason(signal: AbortSignal): unknown {
  // What fetch throws: the signal's reason, or an AbortError when there is none.
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * Reads the frames of a protocol-v1 event stream (a `fetch` response body).
 * Yields `{ id, frame }` per event; events whose frame `type` is unknown are skipped (forward
 * compatibility); non-JSON data or a malformed frame of a known type throws a
 * {@link StreamProtocolError}. The SSE `event:` name is not consulted (the api sends none).
 * When `signal` aborts, the body is cancelled and the iteration throws the signal's reason (an
 * `AbortError` `DOMException` if it has none); when the consumer stops early, the body is
 * cancelled too, releasing the connection. It returns normally when the body ends, even
 * mid-event: whether a terminal frame was missing is the caller's call. Nothing is read until
 * iteration starts.
 */
export async function* readFrames(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
  options?: ReadFramesOptions,
): AsyncGenerator<ReceivedFrame, void, undefined> {
  if (signal?.aborted) {
    // Not awaited: a body whose cancel never settles must not hold up the abort.
    body.cancel(abortReason(signal)).catch(() => undefined);
    throw abortReason(signal);
  }
  const reader = body.getReader();
  // The parser reports synchronously from inside feed(); events are queued and handled after it
  // so that a protocol error is thrown here, not from inside the parser.
  const events: SseEvent[] = [];
  const parser = createSseParser({
    onEvent: (event) => events.push(event),
    onComment: (text) => options?.onComment?.(text),
  });
  let finished = false;
  // Cancelling the reader settles a pending read() with `done`, which the loop turns into the
  // abort error below; it also stops the body at once if we are suspended at a `yield`.
  const onAbort = (): void => {
    if (signal === undefined) return;
    finished = true;
    reader.cancel(abortReason(signal)).catch(() => undefined);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        // A fetch aborted by the same signal errors its body; report the abort, not the symptom.
        if (signal?.aborted) throw abortReason(signal);
        throw error;
      }
      if (signal?.aborted) throw abortReason(signal);
      if (result.done) {
        finished = true;
        return;
      }
      parser.feed(result.value);
      while (events.length > 0) {
        const event = events.shift() as SseEvent;
        const frame = toFrame(event);
        if (frame !== undefined) yield { id: event.id, frame };
        // The consumer may have aborted while we were suspended at the yield.
        if (signal?.aborted) throw abortReason(signal);
      }
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // Stopped early (break, return, a thrown error): cancel so the connection is released. A
    // cancel of an errored stream rejects; there is nothing left to release then.
    if (!finished) reader.cancel().catch(() => undefined);
  }
}
