import type { SchemaObject } from '@nestjs/swagger';
import { fromZod } from '../common/zod-openapi';
import { embeddingsRequestSchema } from './embeddings-request';
import { chatCompletionRequestSchema } from './openai-chat-request';
import { OPENAI_ERROR_TYPES } from './openai-error';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const string = { type: 'string' } as const;
const integer = { type: 'integer' } as const;
const constant = (value: string): SchemaObject => ({ type: 'string', enum: [value] });
const finishReason: SchemaObject = {
  type: 'string',
  description: '`stop`, `length`, `tool_calls`, `content_filter`, or another the upstream sends.',
};

/** What a completion and each of its chunks start with (`ChatCompletion`, `ChatCompletionChunk`). */
const header = (object: string) => ({
  id: { ...string, description: "The upstream's id, the same on every chunk of one reply." },
  object: constant(object),
  created: { ...integer, description: 'When the reply started, in Unix seconds.' },
  model: { ...string, description: 'The model that answered, as the upstream names it.' },
});

/** The fields of a message (or of a chunk's delta) that clients read most; the upstream's others pass too. */
const messageFields: Record<string, SchemaObject> = {
  role: constant('assistant'),
  content: { ...string, nullable: true },
  refusal: { ...string, nullable: true },
  tool_calls: {
    type: 'array',
    items: {
      type: 'object',
      properties: {
        index: { ...integer, description: 'In a chunk: which call the piece belongs to.' },
        id: string,
        type: constant('function'),
        function: {
          type: 'object',
          properties: {
            name: string,
            arguments: { ...string, description: 'JSON text; in chunks, in pieces to join.' },
          },
        },
      },
    },
  },
  reasoning_content: {
    ...string,
    description: "The model's reasoning, from upstreams that send it (vLLM, DeepSeek).",
  },
  annotations: {
    type: 'array',
    items: { type: 'object' },
    description:
      "The upstream's annotations (a search model's URL citations), as it sends them; in a whole " +
      'completion, those of every chunk, and `[]` when there were none.',
  },
};

/**
 * The OpenAPI components of the OpenAI-compatible routes. The request is derived from its zod
 * schema; the completion and its chunks are the upstream's own, so only the fields clients read
 * most are named here, and any other the upstream sends arrives as well.
 */
export const OPENAI_OPENAPI_SCHEMAS = {
  ChatCompletionRequest: fromZod(chatCompletionRequestSchema, 'input'),
  EmbeddingsRequest: fromZod(embeddingsRequestSchema, 'input'),
  EmbeddingsResponse: {
    type: 'object',
    description: "The upstream's answer, as it came.",
    required: ['object', 'data', 'model', 'usage'],
    properties: {
      object: constant('list'),
      data: {
        type: 'array',
        items: {
          type: 'object',
          required: ['object', 'index', 'embedding'],
          properties: {
            object: constant('embedding'),
            index: integer,
            embedding: {
              description: 'Numbers, or a base64 string with `encoding_format: base64`.',
              oneOf: [{ type: 'array', items: { type: 'number' } }, string],
            },
          },
        },
      },
      model: string,
      usage: {
        type: 'object',
        properties: { prompt_tokens: integer, total_tokens: integer },
      },
    },
  },
  ChatCompletion: {
    type: 'object',
    description:
      'The whole reply, answered when the request did not ask to `stream`: the chunks a stream ' +
      'would have sent, folded together.',
    required: ['id', 'object', 'created', 'model', 'choices', 'usage'],
    properties: {
      ...header('chat.completion'),
      choices: {
        type: 'array',
        items: {
          type: 'object',
          required: ['index', 'message', 'finish_reason'],
          properties: {
            index: integer,
            message: { type: 'object', required: ['role'], properties: messageFields },
            logprobs: { type: 'object', nullable: true },
            finish_reason: finishReason,
          },
        },
      },
      usage: ref('OpenAiUsage'),
    },
  },
  ChatCompletionChunk: {
    type: 'object',
    description:
      "The `data` of each Server-Sent Event of a streamed reply, as JSON: the upstream's chunks as " +
      'they came (content, tool-call pieces, refusals, log probabilities, reasoning); with ' +
      '`stream_options.include_usage`, then a chunk whose `choices` is empty and whose `usage` is ' +
      'set. The stream ends with `data: [DONE]`.',
    required: ['id', 'object', 'created', 'model', 'choices'],
    properties: {
      ...header('chat.completion.chunk'),
      choices: {
        type: 'array',
        items: {
          type: 'object',
          required: ['index', 'delta'],
          properties: {
            index: integer,
            delta: { type: 'object', properties: messageFields },
            logprobs: { type: 'object', nullable: true },
            finish_reason: { ...finishReason, nullable: true },
          },
        },
      },
      usage: {
        allOf: [ref('OpenAiUsage')],
        nullable: true,
        description: 'Only with `stream_options.include_usage`: on the last chunk.',
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
