import type { SchemaObject } from '@nestjs/swagger';
import type { StreamFrame } from '@tokenstream/stream-contracts';
import { DemoChunks } from '../models/demo-chunks';
import { ChatCompletionChunker } from './chat-completion-chunker';
import { ChatCompletionFold } from './chat-completion-fold';
import { errorFrameBody } from './in-band-error';
import { toOpenAiModelList } from './openai-model-list';
import { OPENAI_OPENAPI_SCHEMAS } from './openai-openapi-schemas';

type Schemas = Record<string, SchemaObject>;
const schemas = OPENAI_OPENAPI_SCHEMAS as unknown as Schemas;

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}

/**
 * Where `value` strays from `schema`, as `path: problem` lines. Strict about objects: a field the
 * schema does not name is a problem too, so the code cannot send more than the document says.
 */
function problems(value: unknown, schema: SchemaObject & { $ref?: string }, at = '$'): string[] {
  if (schema.$ref)
    return problems(value, schemas[schema.$ref.replace('#/components/schemas/', '')], at);
  if (value === null) return schema.nullable ? [] : [`${at}: null, not nullable`];
  if (schema.allOf) return schema.allOf.flatMap((part) => problems(value, part, at));
  if (schema.enum && !schema.enum.includes(value)) return [`${at}: ${String(value)} not in enum`];
  const type = typeOf(value);
  if (schema.type && schema.type !== type && !(schema.type === 'number' && type === 'integer')) {
    return [`${at}: ${type}, not ${schema.type}`];
  }
  if (Array.isArray(value)) {
    const sized =
      (schema.minItems ?? 0) <= value.length && value.length <= (schema.maxItems ?? Infinity);
    return [
      ...(sized ? [] : [`${at}: ${value.length} items`]),
      ...value.flatMap((item, index) =>
        problems(item, schema.items as SchemaObject, `${at}[${index}]`),
      ),
    ];
  }
  if (typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  const properties = (schema.properties ?? {}) as Schemas;
  return [
    ...(schema.required ?? [])
      .filter((name) => !(name in record))
      .map((name) => `${at}.${name}: missing`),
    ...Object.entries(record).flatMap(([name, inner]) =>
      properties[name]
        ? problems(inner, properties[name], `${at}.${name}`)
        : [`${at}.${name}: undocumented`],
    ),
  ];
}

/** A `/v1` stream's frames, as the demo model answers it. */
function reply(): StreamFrame[] {
  const demo = new DemoChunks('demo');
  const usage = { promptTokens: 1, completionTokens: 2, totalTokens: 3 };
  const chunks = [demo.text('Hel'), demo.text('lo'), ...demo.end('stop', usage)];
  return [
    { type: 'start', streamId: 's', model: 'demo' },
    { type: 'openai-chunks', chunks: chunks as unknown as Record<string, unknown>[] },
    { type: 'finish', finishReason: 'stop', usage },
  ];
}

describe('the OpenAI-compatible schemas describe what the code sends', () => {
  it('finds a field the schema does not name, and one it requires that is missing', () => {
    expect(problems({ total_tokens: 1, extra: 1 }, schemas['OpenAiUsage'])).toEqual([
      '$.prompt_tokens: missing',
      '$.completion_tokens: missing',
      '$.extra: undocumented',
    ]);
  });

  it('ChatCompletion describes a whole reply, usage included', () => {
    const chunker = new ChatCompletionChunker(true);
    const fold = new ChatCompletionFold();
    for (const event of reply().flatMap((frame) => chunker.eventsFor(frame))) {
      if (typeof event === 'object' && 'choices' in event) fold.add(event);
    }
    const completion = fold.completion({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
    expect(completion.choices[0].message.content).toBe('Hello');
    expect(problems(completion, schemas['ChatCompletion'])).toEqual([]);
  });

  it.each([false, true])(
    'ChatCompletionChunk describes every chunk of a streamed reply (include_usage: %p)',
    (includeUsage) => {
      const chunker = new ChatCompletionChunker(includeUsage);
      const events = reply().flatMap((frame) => chunker.eventsFor(frame));
      expect(events.at(-1)).toBe('[DONE]');
      const chunks = events.slice(0, -1);
      expect(chunks).toHaveLength(includeUsage ? 4 : 3);
      expect(chunks.flatMap((chunk) => problems(chunk, schemas['ChatCompletionChunk']))).toEqual(
        [],
      );
    },
  );

  it('OpenAiErrorBody describes the in-band error event of a stream that failed', () => {
    const body = errorFrameBody({
      type: 'error',
      code: 'upstream_rate_limited',
      message: 'Busy.',
      retryable: true,
    });
    expect(problems(body, schemas['OpenAiErrorBody'])).toEqual([]);
  });

  it('OpenAiModelList describes the list of models', () => {
    const list = toOpenAiModelList(['gpt-4o-mini', 'gpt-4o']);
    expect(problems(list, schemas['OpenAiModelList'])).toEqual([]);
  });
});
