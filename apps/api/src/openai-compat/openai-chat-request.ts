import {
  ChatRequestLimits,
  parseWithSchema,
  type ChatMessage,
  type ChatRequest,
} from '@tokenstream/stream-contracts';
import { z } from 'zod';
import type { OpenAiBody } from '../models/model-provider';
import { OpenAiRequestError } from './openai-error';

const L = ChatRequestLimits;

/** A message's content: text, or parts (text, images, audio, files) as the upstream reads them. */
const contentSchema = z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]);

const messageSchema = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: contentSchema.nullish(),
});

const tokenLimit = z
  .int()
  .min(1)
  .max(L.maxTokens)
  .nullish()
  .describe('Send this or `max_completion_tokens`, not both.');

/**
 * The body of `POST /v1/chat/completions`: OpenAI's chat completion request. Only what tokenstream
 * itself acts on is checked here (the model, the conversation's bounds, streaming, the token
 * limit); every other parameter (`tools`, `response_format`, `stop`, `seed`, `logprobs`,
 * `reasoning_effort`, and any OpenAI adds later) goes to the upstream as it came, and the upstream
 * judges it. The OpenAPI document's schema is written from this one.
 */
export const chatCompletionRequestSchema = z
  .looseObject({
    model: z
      .string()
      .min(1)
      .max(L.maxModelChars)
      .describe('The model to answer with: one of `GET /v1/models`.'),
    messages: z
      .array(messageSchema)
      .min(1)
      .max(L.maxMessages)
      .describe('The conversation, as OpenAI takes it (tool results and content parts included).'),
    stream: z
      .boolean()
      .nullish()
      .describe('Answer as Server-Sent Events of `chat.completion.chunk` objects.'),
    stream_options: z
      .looseObject({
        include_usage: z
          .boolean()
          .nullish()
          .describe(
            'End the stream with a chunk whose `choices` is empty and whose `usage` is set.',
          ),
      })
      .nullish()
      .describe('Only with `stream: true`.'),
    temperature: z.number().min(L.minTemperature).max(L.maxTemperature).nullish(),
    max_tokens: tokenLimit,
    max_completion_tokens: tokenLimit,
  })
  .check((context) => {
    const body = context.value;
    if (body.stream_options != null && body.stream !== true) {
      context.issues.push({
        code: 'custom',
        input: body.stream_options,
        path: ['stream_options'],
        message: "is only allowed when 'stream' is enabled",
      });
    }
    if (body.max_tokens != null && body.max_completion_tokens != null) {
      context.issues.push({
        code: 'custom',
        input: body.max_tokens,
        path: ['max_tokens'],
        message: 'and max_completion_tokens cannot both be sent',
      });
    }
    const chars = body.messages.reduce((sum, message) => sum + textOf(message.content).length, 0);
    if (chars > L.maxTotalChars) {
      context.issues.push({
        code: 'custom',
        input: chars,
        path: ['messages'],
        message: `hold ${chars} characters of text, over the ${L.maxTotalChars} allowed`,
      });
    }
  })
  .describe(
    "OpenAI's chat completion request. tokenstream checks the parameters listed here and passes " +
      'every parameter, listed or not, to the upstream as it came.',
  );

/** A `POST /v1/chat/completions` body, checked: what tokenstream starts, and how it answers. */
export interface OpenAiChatRequest {
  /** The stream to start: the conversation's text for the limits, and the body to pass through. */
  request: ChatRequest & { model: string; openAiBody: OpenAiBody };
  stream: boolean;
  /** `stream_options.include_usage`: end the stream with a usage chunk whose `choices` is empty. */
  includeUsage: boolean;
}

/** The text of a message's content, whichever form it takes. */
function textOf(content: z.infer<typeof contentSchema> | null | undefined): string {
  if (typeof content === 'string') return content;
  return (content ?? [])
    .map((part) => (typeof part['text'] === 'string' ? part['text'] : ''))
    .join('');
}

/** OpenAI's roles as the protocol's, for the estimates and the demo model. */
const ROLES: Record<z.infer<typeof messageSchema>['role'], ChatMessage['role']> = {
  system: 'system',
  developer: 'system',
  user: 'user',
  tool: 'user',
  function: 'user',
  assistant: 'assistant',
};

/**
 * Checks an OpenAI chat completion body; a bad one throws {@link OpenAiRequestError} naming its
 * first problem, as OpenAI does. The body is then passed through whole.
 */
export function parseOpenAiChatRequest(body: unknown): OpenAiChatRequest {
  // No body, or one whose Content-Type is not JSON: the JSON parser left it unread.
  if (body === undefined) {
    throw new OpenAiRequestError(
      'No JSON body arrived: send a JSON object with Content-Type: application/json.',
      null,
      'invalid_type',
    );
  }
  const parsed = parseWithSchema(chatCompletionRequestSchema, body);
  if (!parsed.ok) {
    const [first] = parsed.problems;
    const param = first.path === '(body)' ? null : first.path;
    throw new OpenAiRequestError(`${first.path} ${first.message}.`, param, 'invalid_value');
  }
  const openAiBody = parsed.value as unknown as OpenAiBody;
  const { model, messages, temperature } = parsed.value;
  const maxTokens = parsed.value.max_completion_tokens ?? parsed.value.max_tokens;
  return {
    request: {
      model,
      messages: messages.map((message) => ({
        role: ROLES[message.role],
        content: textOf(message.content),
      })),
      ...(temperature != null ? { temperature } : {}),
      ...(maxTokens != null ? { maxTokens } : {}),
      openAiBody,
    },
    stream: parsed.value.stream === true,
    includeUsage: parsed.value.stream_options?.include_usage === true,
  };
}
