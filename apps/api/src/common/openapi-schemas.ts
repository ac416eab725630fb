import type { SchemaObject } from '@nestjs/swagger';
import {
  AuditActions,
  USAGE_GROUP_BY,
  budgetSchema,
  newApiKeySchema,
  ownLimitsSchema,
  chatRequestSchema,
  conversationPageSchema,
  conversationPatchSchema,
  conversationSchema,
  conversationSummarySchema,
  ErrorCodes,
  FINISH_REASONS,
} from '@tokenstream/stream-contracts';
import { fromZod } from './zod-openapi';

/**
 * A `$ref` to a schema of the document, by name: one of {@link NATIVE_OPENAPI_SCHEMAS} or of the
 * OpenAI-compatible routes' (the document holds both, `app/openapi.ts`). A name that names none
 * fails the OpenAPI unit test, which resolves every `$ref`.
 */
export const schemaRef = (name: string) => ({
  $ref: `#/components/schemas/${name}`,
});

const string = { type: 'string' } as const;
const integer = { type: 'integer' } as const;
const boolean = { type: 'boolean' } as const;
const strings = { type: 'array', items: string } as const;
const providerKind: SchemaObject = { type: 'string', enum: ['openai', 'demo'] };

function frame(type: string, properties: Record<string, SchemaObject>, description: string) {
  return {
    type: 'object',
    description,
    required: ['type', ...Object.keys(properties).filter((name) => name !== 'usage')],
    properties: { type: { type: 'string', enum: [type] }, ...properties },
  } satisfies SchemaObject;
}

/** The request body of `POST /api/chat/stream`. */
function chatRequest(): SchemaObject {
  // The refinements are rules JSON Schema cannot say; the description does.
  return {
    ...fromZod(chatRequestSchema, 'input'),
    description:
      'A conversation to reply to; at most 200 000 characters of content in all. With ' +
      '`conversation`, the turn is kept: `messages` holds only the new user message (or none, ' +
      'to answer `conversation.parentId` again) and the model reads the kept branch.',
  };
}

/** The admin routes' bodies: keys made at runtime and the audit trail. */
function adminSchemas() {
  const nullable = (schema: SchemaObject): SchemaObject => ({ ...schema, nullable: true });
  const dateTime: SchemaObject = { type: 'string', format: 'date-time' };
  const budget = fromZod(budgetSchema, 'output');
  const limits = fromZod(ownLimitsSchema, 'output');
  const key = {
    id: { type: 'string', format: 'uuid' },
    name: string,
    prefix: { ...string, description: "The key's first characters, to tell keys apart." },
    groups: strings,
    models: nullable(strings),
    expiresAt: nullable(dateTime),
    budget: nullable(budget),
    createdAt: dateTime,
  } satisfies Record<string, SchemaObject>;
  const budgetStatus: SchemaObject = {
    type: 'object',
    required: ['kind', 'id', 'usd', 'period', 'spentUsd'],
    properties: {
      kind: { type: 'string', enum: ['user', 'group', 'key'] },
      id: string,
      usd: { type: 'number' },
      period: { type: 'string', enum: ['day', 'month'] },
      spentUsd: { type: 'number', description: 'Spent this UTC day or month.' },
    },
  };
  const summary = {
    ...key,
    limits: nullable(limits),
    createdBy: string,
    lastUsedAt: nullable(dateTime),
    revokedAt: nullable(dateTime),
  };
  return {
    NewApiKey: fromZod(newApiKeySchema, 'input'),
    CreatedApiKey: {
      type: 'object',
      required: [...Object.keys(key), 'key'],
      properties: {
        ...key,
        key: { ...string, description: 'The secret (`sk-ts-…`): shown in this answer only.' },
      },
    },
    ApiKeyList: {
      type: 'object',
      required: ['keys'],
      properties: {
        keys: {
          type: 'array',
          items: { type: 'object', required: Object.keys(summary), properties: summary },
        },
      },
    },
    Budget: budget,
    BudgetStatus: budgetStatus,
    BudgetList: {
      type: 'object',
      required: ['budgets'],
      properties: { budgets: { type: 'array', items: budgetStatus } },
    },
    UsageReport: {
      type: 'object',
      required: ['rows'],
      properties: {
        rows: {
          type: 'array',
          items: {
            type: 'object',
            description:
              'Totals of the rows that share one value of `groupBy`, named by a property of that name.',
            required: ['requests', 'promptTokens', 'completionTokens', 'costUsd'],
            properties: {
              ...Object.fromEntries(USAGE_GROUP_BY.map((name) => [name, string])),
              requests: integer,
              promptTokens: integer,
              completionTokens: integer,
              costUsd: { type: 'number', description: 'US dollars, at the models’ prices.' },
            },
          },
        },
      },
    },
    AuditTrail: {
      type: 'object',
      required: ['events'],
      properties: {
        events: {
          type: 'array',
          items: {
            type: 'object',
            required: ['at', 'actor', 'action', 'target', 'detail'],
            properties: {
              at: dateTime,
              actor: string,
              action: { type: 'string', enum: Object.values(AuditActions) },
              target: string,
              detail: { type: 'object', additionalProperties: true },
            },
          },
        },
      },
    },
  } satisfies Record<string, SchemaObject>;
}

/**
 * The OpenAPI components of the protocol, written once: the request, the frames each SSE event's
 * `data` holds (`StreamFrame`, told apart by `type`), and the JSON bodies; then those of the
 * OpenAI-compatible routes.
 */
export const NATIVE_OPENAPI_SCHEMAS = {
  ChatRequest: chatRequest(),
  StartFrame: {
    ...frame(
      'start',
      { streamId: { type: 'string', format: 'uuid' }, model: string },
      'First frame of every stream: names the stream (for resume and stop) and the model answering.',
    ),
    properties: {
      type: { type: 'string', enum: ['start'] },
      streamId: { type: 'string', format: 'uuid' },
      model: string,
      conversation: {
        type: 'object',
        description:
          'Where the reply is kept, when the request named a conversation: its id, the reply ' +
          "message's id and the user message it answers.",
        required: ['id', 'messageId', 'parentId'],
        properties: {
          id: { type: 'string', format: 'uuid' },
          messageId: { type: 'string', format: 'uuid' },
          parentId: { type: 'string', format: 'uuid' },
        },
      },
    },
  },
  TextDeltaFrame: frame(
    'text-delta',
    { delta: string },
    "One piece of the reply's text, to be appended to what came before.",
  ),
  ReasoningDeltaFrame: frame(
    'reasoning-delta',
    { delta: string },
    "One piece of a reasoning model's thinking, before the reply's text and not part of it.",
  ),
  OpenAiChunksFrame: frame(
    'openai-chunks',
    { chunks: { type: 'array', items: { type: 'object' } } },
    'Only on streams started through `/v1/chat/completions`, in place of `text-delta`: the ' +
      "upstream's own `chat.completion.chunk` objects, as they came.",
  ),
  FinishFrame: frame(
    'finish',
    {
      finishReason: { type: 'string', enum: [...FINISH_REASONS] },
      usage: {
        type: 'object',
        required: ['promptTokens', 'completionTokens', 'totalTokens'],
        properties: {
          promptTokens: integer,
          completionTokens: integer,
          totalTokens: integer,
          reasoningTokens: {
            ...integer,
            description: 'Of the completion tokens, those spent thinking, when the upstream says.',
          },
          cachedPromptTokens: {
            ...integer,
            description: 'Of the prompt tokens, those read from its cache, when the upstream says.',
          },
        },
      },
    },
    'Last frame of a reply that ended normally or was stopped.',
  ),
  ErrorFrame: frame(
    'error',
    {
      code: { type: 'string', enum: Object.values(ErrorCodes) },
      message: string,
      retryable: boolean,
    },
    'Last frame of a reply that failed after the stream opened; `message` is safe to show a user.',
  ),
  StreamFrame: {
    description: "Each SSE event's `data`, as JSON. Clients skip frame types they do not know.",
    oneOf: [
      { $ref: '#/components/schemas/StartFrame' },
      { $ref: '#/components/schemas/TextDeltaFrame' },
      { $ref: '#/components/schemas/ReasoningDeltaFrame' },
      { $ref: '#/components/schemas/OpenAiChunksFrame' },
      { $ref: '#/components/schemas/FinishFrame' },
      { $ref: '#/components/schemas/ErrorFrame' },
    ],
    discriminator: {
      propertyName: 'type',
      mapping: {
        start: '#/components/schemas/StartFrame',
        'text-delta': '#/components/schemas/TextDeltaFrame',
        'reasoning-delta': '#/components/schemas/ReasoningDeltaFrame',
        'openai-chunks': '#/components/schemas/OpenAiChunksFrame',
        finish: '#/components/schemas/FinishFrame',
        error: '#/components/schemas/ErrorFrame',
      },
    },
  },
  ApiErrorBody: {
    type: 'object',
    description: 'The JSON body of every error answered before a stream opens (4xx and 5xx).',
    required: ['statusCode', 'code', 'message'],
    properties: {
      statusCode: integer,
      code: { type: 'string', enum: [...Object.values(ErrorCodes), 'http_error'] },
      message: string,
      problems: {
        type: 'array',
        items: {
          type: 'object',
          required: ['path', 'message'],
          properties: { path: string, message: string },
        },
      },
      requestId: string,
    },
  },
  ModelsResponse: {
    type: 'object',
    required: ['provider', 'defaultModel', 'models'],
    properties: { provider: providerKind, defaultModel: string, models: strings },
  },
  LivenessResponse: {
    type: 'object',
    required: ['live', 'version'],
    properties: { live: { type: 'boolean', enum: [true] }, version: string },
  },
  HealthResponse: {
    type: 'object',
    required: [
      'status',
      'version',
      'live',
      'ready',
      'provider',
      'activeStreams',
      'store',
      'database',
    ],
    properties: {
      status: {
        type: 'string',
        enum: ['ok', 'shutting_down', 'store_unavailable', 'database_unavailable'],
      },
      version: string,
      live: boolean,
      ready: boolean,
      provider: providerKind,
      activeStreams: integer,
      store: {
        type: 'object',
        nullable: true,
        required: ['streams', 'bytes', 'reservedBytes', 'maxBytes'],
        properties: { streams: integer, bytes: integer, reservedBytes: integer, maxBytes: integer },
      },
      database: { type: 'string', enum: ['ok', 'unavailable', 'embedded'] },
    },
  },
  MeResponse: {
    type: 'object',
    required: ['id', 'kind', 'via', 'groups', 'models', 'embeddingModels', 'isAdmin'],
    properties: {
      id: string,
      kind: { type: 'string', enum: ['user', 'service', 'anonymous'] },
      via: { type: 'string', enum: ['none', 'oidc', 'proxy', 'apikey'] },
      name: string,
      email: string,
      groups: strings,
      models: { ...strings, description: 'The chat models this caller may ask for.' },
      embeddingModels: {
        ...strings,
        description: 'The models this caller may ask `POST /v1/embeddings` for.',
      },
      isAdmin: { ...boolean, description: 'Whether the caller is in one of `ADMIN_GROUPS`.' },
    },
  },
  ClientConfigResponse: {
    type: 'object',
    properties: {
      signInUrl: {
        type: 'string',
        description:
          'Where to send a user whose session expired; `{returnTo}` stands for the page.',
      },
    },
  },
  ConversationPage: fromZod(conversationPageSchema, 'output'),
  ConversationSummary: fromZod(conversationSummarySchema, 'output'),
  Conversation: fromZod(conversationSchema, 'output'),
  ConversationPatch: fromZod(conversationPatchSchema, 'input'),
  ...adminSchemas(),
} satisfies Record<string, SchemaObject>;
