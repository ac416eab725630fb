import type { SchemaObject } from '@nestjs/swagger';
import { chatCompletionRequestSchema } from './chat-completion-request-schema';
import { OPENAI_ERROR_TYPES } from './openai-error';
import { OPENAI_FINISH_REASONS } from './openai-finish-reason';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const string = { type: 'string' } as const;
const integer = { type: 'integer' } as const;
const constant = (value: string): SchemaObject => ({ type: 'string', enum: [value] });
/** A field OpenAI may fill that tokenstream always sends as `null`. */
const alwaysNull = (type: 'string' | 'object', why: string): SchemaObject => ({
  type,
  nullable: true,
  enum: [null],
  description: `Always \`null\`: ${why}`,
});

/** What a completion and each of its chunks start with (`ChatCompletion`, `ChatCompletionChunk`). */
const header = (object: string) => ({
  id: { ...string, description: '`chatcmpl-…`, the same on every chunk of one reply.' },
  object: constant(object),
  created: { ...integer, description: 'When the reply started, in Unix seconds.' },
  model: { ...string, description: 'The model that answered.' },
});

/**
 * The OpenAPI components of the OpenAI-compatible routes, in OpenAI's wire format as
 * `ChatCompletionAssembler`, `ChatCompletionChunker`, `toOpenAiModelList` and the error mapping
 * write it.
 */
export const OPENAI_OPENAPI_SCHEMAS = {
  ChatCompletionRequest: chatCompletionRequestSchema(),
  ChatCompletion: {
    type: 'object',
    description: 'The whole reply, answered when the request did not ask to `stream`.',
    required: ['id', 'object', 'created', 'model', 'choices', 'usage'],
    properties: {
      ...header('chat.completion'),
      choices: {
        type: 'array',
        minItems: 1,
        maxItems: 1,
        items: {
          type: 'object',
          required: ['index', 'message', 'logprobs', 'finish_reason'],
          properties: {
            index: { ...integer, enum: [0] },
            message: {
              type: 'object',
              required: ['role', 'content', 'refusal'],
              properties: {
                role: constant('assistant'),
                content: string,
                refusal: alwaysNull('string', 'tokenstream has no refusals.'),
              },
            },
            logprobs: alwaysNull('object', 'tokenstream does not support `logprobs`.'),
            finish_reason: { type: 'string', enum: [...OPENAI_FINISH_REASONS] },
          },
        },
      },
      usage: ref('OpenAiUsage'),
    },
  },
  ChatCompletionChunk: {
    type: 'object',
    description:
      'The `data` of each Server-Sent Event of a streamed reply, as JSON: a first chunk with ' +
      '`delta.role`, one per piece of text with `delta.content`, a last one with `finish_reason`; ' +
      'with `stream_options.include_usage`, then a chunk whose `choices` is empty and whose ' +
      '`usage` is set. The stream ends with `data: [DONE]`.',
    required: ['id', 'object', 'created', 'model', 'choices'],
    properties: {
      ...header('chat.completion.chunk'),
      choices: {
        type: 'array',
        maxItems: 1,
        items: {
          type: 'object',
          required: ['index', 'delta', 'logprobs', 'finish_reason'],
          properties: {
            index: { ...integer, enum: [0] },
            delta: {
              type: 'object',
              properties: { role: constant('assistant'), content: string },
            },
            logprobs: alwaysNull('object', 'tokenstream does not support `logprobs`.'),
            finish_reason: { type: 'string', enum: [...OPENAI_FINISH_REASONS], nullable: true },
          },
        },
      },
      usage: {
        allOf: [ref('OpenAiUsage')],
        nullable: true,
        description:
          'Only with `stream_options.include_usage`: `null` on every chunk but the last, which ' +
          'carries the count.',
      },
    },
  },
  OpenAiUsage: {
    type: 'object',
    description:
      "The reply's token counts: the upstream's own, or an estimate (four characters a token) " +
      'when it gave none.',
    required: ['prompt_tokens', 'completion_tokens', 'total_tokens'],
    properties: { prompt_tokens: integer, completion_tokens: integer, total_tokens: integer },
  },
  OpenAiModelList: {
    type: 'object',
    description: "The models the caller may use, in OpenAI's list format.",
    required: ['object', 'data'],
    properties: { object: constant('list'), data: { type: 'array', items: ref('OpenAiModel') } },
  },
  OpenAiModel: {
    type: 'object',
    required: ['id', 'object', 'created', 'owned_by'],
    properties: {
      id: { ...string, description: 'The name to send as `model`.' },
      object: constant('model'),
      created: {
        ...integer,
        description: 'Always `0`: tokenstream does not know when a model was published.',
      },
      owned_by: constant('tokenstream'),
    },
  },
  OpenAiErrorBody: {
    type: 'object',
    description:
      "OpenAI's error shape, on every path under `/v1` (unknown ones too), which OpenAI's SDKs " +
      'read. After a stream opened, an error is one event whose `data` is this, and no `[DONE]`.',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['message', 'type', 'param', 'code'],
        properties: {
          message: { ...string, description: 'Safe to show a person.' },
          type: { type: 'string', enum: [...OPENAI_ERROR_TYPES] },
          param: {
            type: 'string',
            nullable: true,
            description: 'The request parameter at fault, when one is.',
          },
          code: {
            type: 'string',
            nullable: true,
            description: 'What went wrong, for code to branch on (see each status).',
          },
        },
      },
    },
  },
} satisfies Record<string, SchemaObject>;
