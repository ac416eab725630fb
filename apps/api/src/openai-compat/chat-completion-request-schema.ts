import type { SchemaObject } from '@nestjs/swagger';
import { chatRequestSchema, ChatRequestLimits } from '@tokenstream/stream-contracts';
import { z } from 'zod';
import {
  OPENAI_ROLES,
  UNSUPPORTED_PARAMETERS,
  type MessageField,
  type SupportedParameter,
} from './openai-chat-parameters';

/** The parts of the protocol's JSON Schema the OpenAI request reuses. */
interface ProtocolSchema {
  properties: {
    messages: SchemaObject & { items: { properties: { content: SchemaObject } } };
    model: SchemaObject;
    temperature: SchemaObject;
    maxTokens: SchemaObject;
  };
}

/**
 * The native request's JSON Schema: an OpenAI request becomes one of those, and meets the same
 * bounds (message count and length, model name, temperature, token limit), so its own bounds are
 * read from there rather than written twice.
 */
function protocolSchema(): ProtocolSchema {
  return z.toJSONSchema(chatRequestSchema, {
    target: 'openapi-3.0',
    io: 'input',
  }) as unknown as ProtocolSchema;
}

const nullable = (schema: SchemaObject): SchemaObject => ({ ...schema, nullable: true });

/** An OpenAI parameter tokenstream lacks: accepted only as `null` or the value that means "not used". */
function unsupported(neutral: unknown): SchemaObject {
  if (neutral === undefined) {
    return { nullable: true, enum: [null], description: 'Not supported: accepted only as `null`.' };
  }
  return {
    type: typeof neutral === 'boolean' ? 'boolean' : 'number',
    nullable: true,
    enum: [neutral],
    description: `Not supported: accepted only as \`${String(neutral)}\` or \`null\`, which ask for nothing.`,
  };
}

/** Each parameter the validator reads, typed by its list so none can go undocumented. */
function supported(protocol: ProtocolSchema): Record<SupportedParameter, SchemaObject> {
  const { messages, model, temperature, maxTokens } = protocol.properties;
  // Typed by the validator's list, so a field it reads cannot go undocumented.
  const messageFields: Record<MessageField, SchemaObject> = {
    role: {
      type: 'string',
      enum: Object.keys(OPENAI_ROLES),
      description: '`developer` is read as `system`; tokenstream has no `tool` messages.',
    },
    content: {
      ...messages.items.properties.content,
      description: 'Text only: content parts (images, audio, files) are refused.',
    },
    name: { type: 'string', description: 'Accepted and ignored.' },
  };
  return {
    model: {
      ...model,
      description: 'The model to answer with: one of `GET /v1/models`.',
    },
    messages: {
      ...messages,
      // The native schema allows none (a regenerate in a kept conversation); OpenAI's does not.
      minItems: 1,
      description: `The conversation: at most ${ChatRequestLimits.maxTotalChars.toLocaleString('en-US')} characters of content in all.`,
      items: {
        type: 'object',
        required: ['role', 'content'],
        additionalProperties: false,
        properties: messageFields,
      },
    },
    stream: nullable({
      type: 'boolean',
      default: false,
      description: 'Answer as Server-Sent Events of `chat.completion.chunk` objects.',
    }),
    stream_options: nullable({
      type: 'object',
      description: 'Only with `stream: true`.',
      additionalProperties: false,
      properties: {
        include_usage: nullable({
          type: 'boolean',
          default: false,
          description:
            'End the stream with a chunk whose `choices` is empty and whose `usage` is set.',
        }),
      },
    }),
    temperature: nullable(temperature),
    max_tokens: nullable({
      ...maxTokens,
      description: 'Send this or `max_completion_tokens`, not both.',
    }),
    max_completion_tokens: nullable({
      ...maxTokens,
      description: "OpenAI's newer name for `max_tokens`.",
    }),
    n: nullable({
      type: 'integer',
      enum: [1],
      description: 'tokenstream answers one choice per request.',
    }),
    user: nullable({
      type: 'string',
      description: 'Accepted and ignored: the API key already names the caller.',
    }),
  };
}

/**
 * The body of `POST /v1/chat/completions`: exactly the subset of OpenAI's request tokenstream
 * accepts, built from the tables the validator reads (`openai-chat-parameters.ts`) and the
 * protocol's zod schema whose bounds the request then meets. Unknown parameters are refused.
 */
export function chatCompletionRequestSchema(): SchemaObject {
  const unsupportedParameters = Object.fromEntries(
    Object.entries(UNSUPPORTED_PARAMETERS).map(([name, neutral]) => [name, unsupported(neutral)]),
  );
  return {
    type: 'object',
    description:
      "OpenAI's chat completion request, as far as tokenstream implements it. A parameter sent as " +
      '`null` counts as absent; one not listed here is a `400 unknown_parameter`.',
    required: ['model', 'messages'],
    additionalProperties: false,
    properties: { ...supported(protocolSchema()), ...unsupportedParameters },
  };
}
