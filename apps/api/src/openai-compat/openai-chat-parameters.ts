import type { ChatMessage } from '@tokenstream/stream-contracts';

/**
 * The parameters of OpenAI's chat completion request that tokenstream reads; `user` is accepted
 * and ignored (the API key already names the caller). The validator and the OpenAPI schema both
 * read this list, so what is documented is what is accepted.
 */
export const SUPPORTED_PARAMETERS = [
  'model',
  'messages',
  'stream',
  'stream_options',
  'temperature',
  'max_tokens',
  'max_completion_tokens',
  'n',
  'user',
] as const;

/** One of {@link SUPPORTED_PARAMETERS}. */
export type SupportedParameter = (typeof SUPPORTED_PARAMETERS)[number];

/**
 * OpenAI parameters tokenstream does not implement, with the value that means "not used": a client
 * that sends that value (or `null`) asks for nothing we lack, so it is accepted; any other value is
 * a `400` rather than silently ignored, since the caller would get a reply it did not ask for.
 */
export const UNSUPPORTED_PARAMETERS: Readonly<Record<string, unknown>> = {
  tools: undefined,
  tool_choice: undefined,
  functions: undefined,
  function_call: undefined,
  parallel_tool_calls: undefined,
  response_format: undefined,
  logprobs: false,
  top_logprobs: undefined,
  logit_bias: undefined,
  stop: undefined,
  seed: undefined,
  top_p: 1,
  frequency_penalty: 0,
  presence_penalty: 0,
  audio: undefined,
  modalities: undefined,
  prediction: undefined,
  reasoning_effort: undefined,
  verbosity: undefined,
  service_tier: undefined,
  store: false,
  metadata: undefined,
  web_search_options: undefined,
  prompt_cache_key: undefined,
  safety_identifier: undefined,
};

/** OpenAI's message roles as tokenstream's: `developer` is OpenAI's newer name for `system`. */
export const OPENAI_ROLES: Readonly<Record<string, ChatMessage['role']>> = {
  system: 'system',
  developer: 'system',
  user: 'user',
  assistant: 'assistant',
};

/** The fields a message may carry; `name` is accepted and dropped. */
export const MESSAGE_FIELDS = ['role', 'content', 'name'] as const;

/** One of {@link MESSAGE_FIELDS}. */
export type MessageField = (typeof MESSAGE_FIELDS)[number];
