/**
 * An incremental parser for `text/event-stream`, written to the letter of the WHATWG HTML
 * Standard, section 9.2.6 "Interpreting an event stream":
 * https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 * Comments quote the step of the standard each branch implements. It uses no Node-only or
 * DOM-only global (only `TextDecoder`), so the api, the browser app and tests all share it.
 */

/**
 * One dispatched event, as the standard's `MessageEvent` would carry it.
 * `event` is `undefined` for the default type `message` (an absent or empty `event:` field);
 * `id` is `undefined` while no `id:` field has been seen since the parser was created or reset,
 * otherwise the last event ID buffer, which persists across events and may be `''`.
 */
export interface SseEvent {
  /** The data buffer, with its one trailing LF removed. */
  data: string;
  /** The event type buffer; `undefined` stands for the default type `message`. */
  event?: string;
  /** The last event ID (persists across events); `undefined` until an `id:` field was seen. */
  id?: string;
}

/** Callbacks a parser reports to, synchronously, from inside `feed()`. */
export interface SseParserHandlers {
  /** Called for every dispatched event (a blank line after a non-empty data buffer). */
  onEvent(event: SseEvent): void;
  /** Called with the new reconnection time when a `retry:` field holds only ASCII digits. */
  onRetry?(ms: number): void;
  /** Called for a comment line (`:text`), with the text after the colon minus one leading space. */
  onComment?(text: string): void;
}

/** An incremental event-stream parser: feed it chunks as they arrive, in order. */
export interface SseParser {
  /** Parses the next chunk: text, or bytes decoded as UTF-8 (a character may span chunks). */
  feed(chunk: string | Uint8Array): void;
  /** Forgets everything (buffers, decoder, BOM, pending CR, last event id) to parse a new stream. */
  reset(): void;
}

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const BOM = 0xfeff;

// "If the field value consists of only ASCII digits". An empty value holds no integer to interpret
// (parseInt would give NaN), so at least one digit is required.
const ASCII_DIGITS = /^[0-9]+$/;

/**
 * Creates an incremental parser that calls `handlers` for each event, retry and comment.
 * An unterminated event at the end of the stream is never dispatched: there is no `end()`,
 * because the standard discards pending data at end of file anyway. A handler's exception
 * propagates out of `feed()` and the rest of that chunk is lost: `reset()` before reuse.
 */
export function createSseParser(handlers: SseParserHandlers): SseParser {
  // "Streams must be decoded using the UTF-8 decode algorithm": invalid bytes become U+FFFD
  // (fatal: false). `ignoreBOM: true` keeps the BOM in the output so that one rule below strips
  // it for byte and string chunks alike, and exactly once.
  let decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  // "The UTF-8 decode algorithm strips one leading UTF-8 Byte Order Mark (BOM), if any."
  let bomChecked = false;
  // A CR ended the previous line: a LF right after it is the second half of a CRLF, not a line.
  let skipNextLf = false;
  // The part of the current line that arrived so far (no line ending in it yet).
  let partialLine = '';
  // The standard's three buffers.
  let dataBuffer = '';
  let eventTypeBuffer = '';
  let lastEventIdBuffer: string | undefined = undefined;
  // Bumped by reset(), so a reset from inside a handler stops the chunk being parsed.
  let generation = 0;

  function dispatch(): void {
    // Step 1, "Set the last event ID string of the event source to the value of the last event
    // ID buffer": the buffer is never cleared here, so the id persists into later events.
    // Step 2, "If the data buffer is an empty string, set the data buffer and the event type
    // buffer to the empty string and return."
    if (dataBuffer === '') {
      eventTypeBuffer = '';
      return;
    }
    // Step 3, "If the data buffer's last character is a U+000A LINE FEED (LF) character, then
    // remove the last character from the data buffer." (Always true: each data line appends one.)
    const data =
      dataBuffer.charCodeAt(dataBuffer.length - 1) === LF ? dataBuffer.slice(0, -1) : dataBuffer;
    const event: SseEvent = { data };
    // Step 4: the type is the event type buffer, or `message` when it is empty (here: absent).
    if (eventTypeBuffer !== '') event.event = eventTypeBuffer;
    if (lastEventIdBuffer !== undefined) event.id = lastEventIdBuffer;
    // Step 5, "Set the data buffer and the event type buffer to the empty string" — before the
    // handler runs, so a handler that throws leaves the parser consistent.
    dataBuffer = '';
    eventTypeBuffer = '';
    handlers.onEvent(event);
  }

  function processField(field: string, value: string): void {
    switch (field) {
      case 'event':
        // "Set the event type buffer to the field value."
        eventTypeBuffer = value;
        return;
      case 'data':
        // "Append the field value to the data buffer, then append a single U+000A LINE FEED (LF)
        // character to the data buffer."
        dataBuffer += value + '\n';
        return;
      case 'id':
        // "If the field value does not contain U+0000 NULL, then set the last event ID buffer to
        // the field value. Otherwise, ignore the field." An empty value sets it to ''.
        if (!value.includes('\0')) lastEventIdBuffer = value;
        return;
      case 'retry':
        // "If the field value consists of only ASCII digits, then interpret the field value as an
        // integer in base ten, and set the event stream's reconnection time to that integer.
        // Otherwise, ignore the field."
        if (ASCII_DIGITS.test(value)) handlers.onRetry?.(parseInt(value, 10));
        return;
      default:
        // "Otherwise: The field is ignored."
        return;
    }
  }

  function processLine(line: string): void {
    // "If the line is empty (a blank line): Dispatch the event."
    if (line === '') {
      dispatch();
      return;
    }
    const colon = line.indexOf(':');
    // "If the line starts with a U+003A COLON character (:): Ignore the line." It is a comment;
    // we report it (minus one leading space, mirroring field values) so a client can watch
    // keep-alives, which changes nothing in the parse.
    if (colon === 0) {
      handlers.onComment?.(line.charCodeAt(1) === SPACE ? line.slice(2) : line.slice(1));
      return;
    }
    // "If the line contains a U+003A COLON character (:)": the field is what comes before the
    // first colon, the value what comes after it, minus one leading U+0020 SPACE if there is one.
    if (colon > 0) {
      const valueStart = line.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1;
      processField(line.slice(0, colon), line.slice(valueStart));
      return;
    }
    // "Otherwise, the string is not empty but does not contain a U+003A COLON character (:)":
    // the whole line is the field name, and the value is the empty string.
    processField(line, '');
  }

  function processText(text: string): void {
    if (text === '') return;
    let start = 0;
    if (!bomChecked) {
      bomChecked = true;
      if (text.charCodeAt(0) === BOM) start = 1;
    }
    if (skipNextLf && start < text.length) {
      skipNextLf = false;
      if (text.charCodeAt(start) === LF) start += 1;
    }
    const generationAtStart = generation;
    // "Lines must be separated by either a U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF)
    // character pair, a single U+000A LINE FEED (LF) character, or a single U+000D CARRIAGE
    // RETURN (CR) character." A CR ends its line at once (no waiting for the next chunk); a LF
    // directly after it, even in the next chunk, is then swallowed.
    for (let i = start; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code !== LF && code !== CR) continue;
      const line = partialLine + text.slice(start, i);
      partialLine = '';
      if (code === CR) {
        if (i + 1 === text.length) skipNextLf = true;
        else if (text.charCodeAt(i + 1) === LF) i += 1;
      }
      start = i + 1;
      processLine(line);
      // A handler called reset(): the rest of this chunk belonged to the old stream.
      if (generation !== generationAtStart) return;
    }
    partialLine += text.slice(start);
  }

  return {
    feed(chunk: string | Uint8Array): void {
      // `typeof`, not `instanceof Uint8Array`: byte arrays may come from another realm.
      if (typeof chunk === 'string') {
        // Bytes of a character cut at the end of a previous byte chunk can no longer be completed:
        // flush them (as U+FFFD, like any truncated UTF-8 sequence; '' if there are none).
        processText(decoder.decode());
        processText(chunk);
        return;
      }
      // `stream: true` keeps a multi-byte character cut at the chunk's end for the next chunk.
      processText(decoder.decode(chunk, { stream: true }));
    },
    reset(): void {
      generation += 1;
      decoder = new TextDecoder('utf-8', { ignoreBOM: true });
      bomChecked = false;
      skipNextLf = false;
      partialLine = '';
      dataBuffer = '';
      eventTypeBuffer = '';
      lastEventIdBuffer = undefined;
    },
  };
}
