import {
  parseChatRequest,
  type ChatMessage,
  type ChatRequest,
} from '@tokenstream/stream-contracts';
import {
  MESSAGE_FIELDS,
  OPENAI_ROLES,
  SUPPORTED_PARAMETERS,
  UNSUPPORTED_PARAMETERS,
} from './openai-chat-parameters';
import { OpenAiRequestError } from './openai-error';

const SUPPORTED: ReadonlySet<string> = new Set(SUPPORTED_PARAMETERS);
const MESSAGE_KEYS: ReadonlySet<string> = new Set(MESSAGE_FIELDS);

/** A `POST /v1/chat/completions` body, checked and turned into a tokenstream request. */
export interface OpenAiChatRequest {
  request: ChatRequest & { model: string };
  stream: boolean;
  /** `stream_options.include_usage`: end the stream with a usage chunk whose `choices` is empty. */
  includeUsage: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refuse(message: string, param: string | null, code: string | null = null): never {
  throw new OpenAiRequestError(message, param, code);
}

function parseMessage(value: unknown, index: number): ChatMessage {
  const at = `messages[${index}]`;
  if (!isRecord(value)) refuse(`${at} must be an object.`, at, 'invalid_type');
  for (const key of Object.keys(value)) {
    if (!MESSAGE_KEYS.has(key)) {
      refuse(
        `${at}.${key} is not supported by tokenstream.`,
        `${at}.${key}`,
        'unsupported_parameter',
      );
    }
  }
  const role =
    typeof value['role'] === 'string' && Object.hasOwn(OPENAI_ROLES, value['role'])
      ? OPENAI_ROLES[value['role']]
      : undefined;
  if (!role) {
    refuse(
      `${at}.role must be one of "system", "developer", "user", "assistant": tokenstream does not support tools.`,
      `${at}.role`,
      'invalid_value',
    );
  }
  const name = value['name'];
  if (name !== undefined && name !== null && typeof name !== 'string') {
    refuse(`${at}.name must be a string.`, `${at}.name`, 'invalid_type');
  }
  const content = value['content'];
  if (typeof content !== 'string') {
    refuse(
      `${at}.content must be a string: tokenstream does not support content parts (images, audio, files).`,
      `${at}.content`,
      'unsupported_value',
    );
  }
  return { role, content };
}

function optionalNumber(body: Record<string, unknown>, name: string): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number') refuse(`${name} must be a number.`, name, 'invalid_type');
  return value;
}

/** The protocol's field a problem of `parseChatRequest` names, as the OpenAI parameter the caller sent. */
function openAiParam(path: string, maxTokensParam: string): string {
  if (path === 'maxTokens') return maxTokensParam;
  return path;
}

/**
 * Checks an OpenAI chat completion body and maps it onto a tokenstream request, which then meets
 * the same schema and limits as the native protocol. Throws {@link OpenAiRequestError} at the first
 * problem, as OpenAI does. A parameter set to `null` counts as absent.
 */
export function parseOpenAiChatRequest(body: unknown): OpenAiChatRequest {
  // No body, or one whose Content-Type is not JSON: the JSON parser left it unread.
  if (body === undefined) {
    refuse(
      'No JSON body arrived: send a JSON object with Content-Type: application/json.',
      null,
      'invalid_type',
    );
  }
  if (!isRecord(body)) refuse('The request body must be a JSON object.', null, 'invalid_type');
  for (const [name, value] of Object.entries(body)) {
    if (value === null || SUPPORTED.has(name)) continue;
    if (!Object.hasOwn(UNSUPPORTED_PARAMETERS, name)) {
      refuse(`Unrecognized request argument supplied: ${name}`, name, 'unknown_parameter');
    }
    if (value !== UNSUPPORTED_PARAMETERS[name]) {
      refuse(
        `tokenstream does not support the parameter '${name}'.`,
        name,
        'unsupported_parameter',
      );
    }
  }
  const model = body['model'];
  if (typeof model !== 'string' || model === '') {
    refuse('you must provide a model parameter', 'model', 'missing_required_parameter');
  }
  const messages = body['messages'];
  if (!Array.isArray(messages) || messages.length === 0) {
    refuse('messages must be a non-empty array.', 'messages', 'invalid_value');
  }
  const n = optionalNumber(body, 'n');
  if (n !== undefined && n !== 1) {
    refuse('tokenstream answers one choice per request: n must be 1.', 'n', 'unsupported_value');
  }
  const user = body['user'];
  if (user !== undefined && user !== null && typeof user !== 'string') {
    refuse('user must be a string.', 'user', 'invalid_type');
  }
  const stream = body['stream'] ?? false;
  if (typeof stream !== 'boolean') refuse('stream must be a boolean.', 'stream', 'invalid_type');
  const includeUsage = parseStreamOptions(body['stream_options'], stream);
  const maxTokens = optionalNumber(body, 'max_tokens');
  const maxCompletionTokens = optionalNumber(body, 'max_completion_tokens');
  if (maxTokens !== undefined && maxCompletionTokens !== undefined) {
    refuse('Send max_completion_tokens or max_tokens, not both.', 'max_tokens', 'invalid_value');
  }
  const request: ChatRequest = {
    model,
    messages: messages.map(parseMessage),
    temperature: optionalNumber(body, 'temperature'),
    maxTokens: maxCompletionTokens ?? maxTokens,
  };
  // Drop absent fields: the protocol's schema is strict about what is there, not about undefined.
  for (const key of ['temperature', 'maxTokens'] as const) {
    if (request[key] === undefined) delete request[key];
  }
  const parsed = parseChatRequest(request);
  if (!parsed.ok) {
    const [first] = parsed.problems;
    const maxTokensParam =
      maxCompletionTokens !== undefined ? 'max_completion_tokens' : 'max_tokens';
    const param = openAiParam(first.path, maxTokensParam);
    refuse(`${param} ${first.message}.`, param, 'invalid_value');
  }
  return { request: { ...parsed.request, model }, stream, includeUsage };
}

function parseStreamOptions(value: unknown, stream: boolean): boolean {
  if (value === undefined || value === null) return false;
  if (!stream) {
    refuse(
      "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
      'stream_options',
      'invalid_value',
    );
  }
  if (!isRecord(value))
    refuse('stream_options must be an object.', 'stream_options', 'invalid_type');
  for (const key of Object.keys(value)) {
    if (key !== 'include_usage') {
      refuse(
        `stream_options.${key} is not supported by tokenstream.`,
        `stream_options.${key}`,
        'unsupported_parameter',
      );
    }
  }
  const includeUsage = value['include_usage'] ?? false;
  if (typeof includeUsage !== 'boolean') {
    refuse(
      'stream_options.include_usage must be a boolean.',
      'stream_options.include_usage',
      'invalid_type',
    );
  }
  return includeUsage;
}
