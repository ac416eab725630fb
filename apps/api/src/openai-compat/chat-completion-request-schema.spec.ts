import type { SchemaObject } from '@nestjs/swagger';
import { chatCompletionRequestSchema } from './chat-completion-request-schema';
import { parseOpenAiChatRequest } from './openai-chat-request';
import { OpenAiRequestError } from './openai-error';

const schema = chatCompletionRequestSchema();
const properties = schema.properties as Record<string, SchemaObject>;
const messageFields = (properties['messages'].items as SchemaObject).properties as Record<
  string,
  SchemaObject
>;
const base = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] };

/** The refusal of `body`'s validation, or `undefined` when it is accepted. */
function refusal(body: unknown): { param: string | null; code: string | null } | undefined {
  try {
    parseOpenAiChatRequest(body);
    return undefined;
  } catch (error) {
    if (error instanceof OpenAiRequestError) return { param: error.param, code: error.code };
    throw error;
  }
}

/** Each documented parameter with the values its schema lists but `null`, as `[name, value]`. */
const enumerated = Object.entries(properties).flatMap(([name, property]) =>
  (property.enum ?? [])
    .filter((value: unknown) => value !== null)
    .map((value: unknown) => [name, value] as const),
);

/** Each documented numeric bound, with a value just past it. */
const bounds = Object.entries(properties).flatMap(([name, property]) => {
  const step = property.type === 'integer' ? 1 : 0.01;
  return [
    ...(property.minimum === undefined ? [] : [[name, property.minimum, property.minimum - step]]),
    ...(property.maximum === undefined ? [] : [[name, property.maximum, property.maximum + step]]),
  ] as [string, number, number][];
});

describe('the ChatCompletionRequest schema and the validator', () => {
  it('requires what the validator requires', () => {
    expect(schema.required).toEqual(['model', 'messages']);
    for (const name of schema.required ?? []) {
      const without = Object.fromEntries(Object.entries(base).filter(([key]) => key !== name));
      expect(refusal(without)).toMatchObject({ param: name });
    }
  });

  it('refuses a parameter the schema does not list, as additionalProperties: false says', () => {
    expect(schema.additionalProperties).toBe(false);
    expect(refusal({ ...base, best_of: 2 })).toEqual({
      param: 'best_of',
      code: 'unknown_parameter',
    });
  });

  it('accepts null for every parameter it marks nullable', () => {
    const nullable = Object.entries(properties).filter(([, property]) => property.nullable);
    expect(nullable.length).toBeGreaterThan(20);
    for (const [name] of nullable) expect(refusal({ ...base, [name]: null })).toBeUndefined();
  });

  it.each(enumerated)('accepts %s: %p, a value the schema lists', (name, value) => {
    expect(refusal({ ...base, [name]: value })).toBeUndefined();
  });

  it('refuses an unsupported parameter sent with any value but the one the schema lists', () => {
    expect(properties['top_p']).toMatchObject({ enum: [1] });
    expect(refusal({ ...base, top_p: 0.5 })).toMatchObject({ code: 'unsupported_parameter' });
    expect(properties['tools']).toMatchObject({ enum: [null] });
    expect(refusal({ ...base, tools: [] })).toMatchObject({ code: 'unsupported_parameter' });
  });

  it.each(bounds)('accepts %s at %p and refuses it at %p', (name, bound, past) => {
    expect(refusal({ ...base, [name]: bound })).toBeUndefined();
    expect(refusal({ ...base, [name]: past })).toMatchObject({ param: name });
  });

  it('accepts every message role and field it lists, and content up to its maxLength', () => {
    const roles = messageFields['role'].enum as string[];
    for (const role of roles) {
      expect(refusal({ ...base, messages: [{ role, content: 'x', name: 'ann' }] })).toBeUndefined();
    }
    expect(refusal({ ...base, messages: [{ role: 'tool', content: 'x' }] })).toMatchObject({
      param: 'messages[0].role',
    });
    const maxLength = messageFields['content'].maxLength as number;
    const message = (length: number) => [{ role: 'user', content: 'x'.repeat(length) }];
    expect(refusal({ ...base, messages: message(maxLength) })).toBeUndefined();
    expect(refusal({ ...base, messages: message(maxLength + 1) })).toMatchObject({
      param: 'messages[0].content',
    });
  });

  it('holds as many messages as its maxItems says, and no more', () => {
    const maxItems = properties['messages'].maxItems as number;
    const messages = (count: number) => Array.from({ length: count }, () => base.messages[0]);
    expect(refusal({ ...base, messages: messages(maxItems) })).toBeUndefined();
    expect(refusal({ ...base, messages: messages(maxItems + 1) })).toMatchObject({
      param: 'messages',
    });
  });
});
