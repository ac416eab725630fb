/** The most characters of a received payload an error message quotes. */
export const PROTOCOL_ERROR_EXCERPT_CHARS = 200;

/**
 * Thrown when a stream breaks protocol v1 (an event that is not JSON, or a malformed frame of a
 * known type). Its message is safe to show: it says what was wrong and quotes at most
 * {@link PROTOCOL_ERROR_EXCERPT_CHARS} characters of the payload, so a huge or hostile payload
 * never floods a log line or a user's screen.
 */
export class StreamProtocolError extends Error {
  override readonly name = 'StreamProtocolError';

  /** `problem` says what was wrong; `payload`, if given, is quoted in short after it. */
  constructor(problem: string, payload?: string) {
    super(payload === undefined ? problem : `${problem}: ${quoteExcerpt(payload)}`);
  }
}

// JSON quoting makes control characters visible; the cut never splits a surrogate pair.
function quoteExcerpt(payload: string): string {
  if (payload.length <= PROTOCOL_ERROR_EXCERPT_CHARS) return JSON.stringify(payload);
  let end = PROTOCOL_ERROR_EXCERPT_CHARS;
  const last = payload.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${JSON.stringify(payload.slice(0, end))}… (${payload.length} characters)`;
}
