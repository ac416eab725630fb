// The named fields exist so tests can write `body.temperature` rather than `body['temperature']`.
/** A chat completions body exactly as the client sent it (untrusted JSON, hence `unknown`). */
export interface ChatCompletionRequestBody {
  [key: string]: unknown;
  model?: unknown;
  messages?: unknown;
  stream?: unknown;
  stream_options?: unknown;
  temperature?: unknown;
  max_tokens?: unknown;
  max_completion_tokens?: unknown;
}

/** The parts of a valid request the mock acts on. */
export interface ChatRequest {
  model: string;
  messages: unknown[];
  stream: boolean;
  includeUsage: boolean;
  /** The whole body, for what shapes the reply (`tools`, `logprobs`). */
  body: ChatCompletionRequestBody;
}

/** Validates the fields the mock needs, returning OpenAI's error message when one is wrong. */
export function validateChatRequest(
  body: ChatCompletionRequestBody,
): { ok: true; request: ChatRequest } | { ok: false; message: string; param: string } {
  const { model, messages, stream, stream_options: streamOptions } = body;
  if (typeof model !== 'string' || model.length === 0) {
    return { ok: false, message: 'you must provide a model parameter', param: 'model' };
  }
  if (!Array.isArray(messages)) {
    return { ok: false, message: "Missing required parameter: 'messages'.", param: 'messages' };
  }
  const streaming = stream === true;
  // OpenAI rejects this combination too; a client that sends it would break against the real API.
  if (streamOptions !== undefined && streamOptions !== null && !streaming) {
    return {
      ok: false,
      message: "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
      param: 'stream_options',
    };
  }
  const includeUsage =
    typeof streamOptions === 'object' &&
    streamOptions !== null &&
    'include_usage' in streamOptions &&
    streamOptions.include_usage === true;
  const messageList: unknown[] = messages;
  return {
    ok: true,
    request: { model, messages: messageList, stream: streaming, includeUsage, body },
  };
}

/** True for a JSON object (not an array or null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
