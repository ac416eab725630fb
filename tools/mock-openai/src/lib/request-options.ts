import { isJsonObject } from './chat-request';
import { parseJson } from './http-io';
import { MockOptionsError, validateMockOptionsPatch, type MockOptions } from './mock-options';

/** A message whose text content starts with this carries options for its own request only. */
export const REQUEST_OPTIONS_PREFIX = 'mock-openai:';

/** The knobs one request may set for itself: what its reply is, how it streams, what breaks it. */
export const REQUEST_OPTION_KEYS = [
  'reply',
  'chunks',
  'chunkDelayMs',
  'chunksPerWrite',
  'firstTokenDelayMs',
  'reasoning',
  'refusal',
  'toolCallArguments',
  'finishReason',
  'fault',
  'faultStatus',
  'faultRetryAfterSeconds',
  'cutAfterChunks',
] as const satisfies readonly (keyof MockOptions)[];

/** Options a request may carry for itself (see {@link REQUEST_OPTION_KEYS}). */
export type RequestOptions = Partial<Pick<MockOptions, (typeof REQUEST_OPTION_KEYS)[number]>>;

// Concurrent requests through a server under test (which forwards the messages, not the caller's
// headers) each need their own reply and fault: a global configure() cannot say which request it
// meant once several are in flight.
/**
 * The options carried by the first message whose `content` is a string starting with
 * `mock-openai:` followed by a JSON object (`mock-openai:{"reply":"Hi","fault":"cut"}`), or
 * undefined when no message does. Throws MockOptionsError for bad JSON, an unknown or invalid
 * option, or one that only makes sense for the whole mock (`faultCount`, `models`, `requireApiKey`).
 */
export function requestOptionsOf(messages: readonly unknown[]): RequestOptions | undefined {
  for (const message of messages) {
    if (!isJsonObject(message)) continue;
    const { content } = message;
    if (typeof content !== 'string' || !content.startsWith(REQUEST_OPTIONS_PREFIX)) continue;
    const json = parseJson(content.slice(REQUEST_OPTIONS_PREFIX.length));
    if (!isJsonObject(json)) {
      throw new MockOptionsError(`${REQUEST_OPTIONS_PREFIX} must be followed by a JSON object`);
    }
    const allowed: readonly string[] = REQUEST_OPTION_KEYS;
    const other = Object.keys(json).find((key) => !allowed.includes(key));
    if (other !== undefined) {
      throw new MockOptionsError(
        `"${other}" cannot be set per request; per-request options: ${REQUEST_OPTION_KEYS.join(', ')}`,
      );
    }
    return validateMockOptionsPatch(json);
  }
  return undefined;
}
