import { StreamFrame } from './frames';

/** The fields of one event to write to a `text/event-stream` body. */
export interface SseEventInit {
  /** The payload; each of its lines (split at CRLF, LF or CR) becomes one `data:` line. */
  data: string;
  /** The event type; omit it for the default type `message`. */
  event?: string;
  /** The event id a reconnecting client sends back as `Last-Event-ID`. */
  id?: string;
  /** The reconnection time to ask of the client, in milliseconds. */
  retry?: number;
}

// The event-stream line endings (WHATWG HTML 9.2.6): a parser ends a line at any of them.
const LINE_BREAK = /\r\n|\r|\n/;
const HAS_LINE_BREAK = /[\r\n]/;

// `name: value`, or a bare `name:` for an empty value so no line ends in a stray space. A parser
// strips exactly one space after the colon, so a value's own leading spaces survive.
function field(name: string, value: string): string {
  return value === '' ? `${name}:\n` : `${name}: ${value}\n`;
}

/**
 * Serializes one event, ending with the blank line that dispatches it.
 * Throws a `TypeError` for an `id` or `event` holding CR or LF (they would end the field early
 * and let the value inject fields), an `id` holding NUL (a parser ignores it), or a `retry` that is
 * not a non-negative integer (a parser would ignore it). `data` may hold anything: line breaks
 * become several `data:` lines, which a parser joins with LF, so a CR or CRLF reads back as LF.
 */
export function encodeSseEvent(init: SseEventInit): string {
  const { data, event, id, retry } = init;
  let out = '';
  if (id !== undefined) {
    if (HAS_LINE_BREAK.test(id) || id.includes('\0')) {
      throw new TypeError('An SSE id may not contain CR, LF or NUL.');
    }
    out += field('id', id);
  }
  if (event !== undefined) {
    if (HAS_LINE_BREAK.test(event))
      throw new TypeError('An SSE event type may not contain CR or LF.');
    out += field('event', event);
  }
  if (retry !== undefined) {
    if (!Number.isSafeInteger(retry) || retry < 0) {
      throw new TypeError('An SSE retry must be a non-negative integer number of milliseconds.');
    }
    out += field('retry', String(retry));
  }
  for (const line of data.split(LINE_BREAK)) out += field('data', line);
  return out + '\n';
}

/**
 * Serializes a comment (ignored by parsers; used for keep-alives): each line of `text` becomes a
 * `: line` line. No blank line follows, because a comment dispatches nothing.
 */
export function encodeSseComment(text: string): string {
  return text
    .split(LINE_BREAK)
    .map((line) => (line === '' ? ':\n' : `: ${line}\n`))
    .join('');
}

/**
 * Serializes a frame the way the api sends it: an optional `id:` line and one `data:` line of
 * JSON, with no `event:` field (so clients see the default `message` type).
 */
export function encodeFrame(frame: StreamFrame, id?: string): string {
  // JSON.stringify escapes CR and LF inside strings, so the JSON is always a single line.
  return encodeFrameJson(JSON.stringify(frame), id);
}

const DIGITS = /^[0-9]+$/;

/**
 * {@link encodeFrame} for a frame already serialised (`JSON.stringify(frame)`): a server that
 * keeps its frames as JSON sends the bytes it keeps, without serialising them again. The same
 * output as {@link encodeSseEvent} for any input; a one-line payload with a numeric id (always
 * the case for the api's frames) takes a path that only checks that.
 */
export function encodeFrameJson(json: string, id?: string): string {
  if (HAS_LINE_BREAK.test(json) || (id !== undefined && !DIGITS.test(id)) || json === '') {
    return encodeSseEvent({ data: json, id });
  }
  return id === undefined ? `data: ${json}\n\n` : `id: ${id}\ndata: ${json}\n\n`;
}
