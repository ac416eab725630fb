import { parseOpenAiChatRequest } from './openai-chat-request';
import { OpenAiRequestError } from './openai-error';

const base = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] };

function refusal(body: unknown): { param: string | null; code: string | null; message: string } {
  try {
    parseOpenAiChatRequest(body);
  } catch (error) {
    if (error instanceof OpenAiRequestError) {
      return { param: error.param, code: error.code, message: error.message };
    }
    throw error;
  }
  throw new Error('accepted');
}

describe('parseOpenAiChatRequest', () => {
  it('maps an OpenAI body onto a tokenstream request', () => {
    expect(
      parseOpenAiChatRequest({
        ...base,
        messages: [
          { role: 'developer', content: 'Be brief.' },
          { role: 'user', content: 'Hi', name: 'ann' },
        ],
        temperature: 0.2,
        max_completion_tokens: 40,
        stream: true,
        stream_options: { include_usage: true },
        user: 'someone',
        n: 1,
      }),
    ).toEqual({
      request: {
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ],
        temperature: 0.2,
        maxTokens: 40,
      },
      stream: true,
      includeUsage: true,
    });
  });

  it('reads max_tokens, and treats null parameters as absent', () => {
    expect(
      parseOpenAiChatRequest({ ...base, max_tokens: 7, temperature: null, stop: null, seed: null }),
    ).toEqual({ request: { ...base, maxTokens: 7 }, stream: false, includeUsage: false });
  });

  it('accepts the neutral value of an unsupported parameter', () => {
    expect(() =>
      parseOpenAiChatRequest({ ...base, logprobs: false, top_p: 1, presence_penalty: 0 }),
    ).not.toThrow();
  });

  it.each([
    ['tools', [{ type: 'function', function: { name: 'f' } }]],
    ['functions', [{ name: 'f' }]],
    ['tool_choice', 'auto'],
    ['response_format', { type: 'json_object' }],
    ['logprobs', true],
    ['stop', ['\n']],
    ['seed', 42],
    ['top_p', 0.5],
  ])('refuses the unsupported parameter %s', (name, value) => {
    expect(refusal({ ...base, [name]: value })).toMatchObject({
      param: name,
      code: 'unsupported_parameter',
    });
  });

  it('refuses an unknown parameter as OpenAI does', () => {
    expect(refusal({ ...base, colour: 'blue' })).toEqual({
      param: 'colour',
      code: 'unknown_parameter',
      message: 'Unrecognized request argument supplied: colour',
    });
  });

  it('refuses more than one choice', () => {
    expect(refusal({ ...base, n: 2 })).toMatchObject({ param: 'n', code: 'unsupported_value' });
  });

  it('refuses content parts and tool messages', () => {
    const parts = { role: 'user', content: [{ type: 'text', text: 'Hi' }] };
    expect(refusal({ ...base, messages: [parts] })).toMatchObject({
      param: 'messages[0].content',
    });
    expect(
      refusal({ ...base, messages: [{ role: 'tool', content: 'x', tool_call_id: 'a' }] }),
    ).toMatchObject({ param: 'messages[0].tool_call_id' });
    expect(refusal({ ...base, messages: [{ role: 'tool', content: 'x' }] })).toMatchObject({
      param: 'messages[0].role',
    });
  });

  it('refuses a user or a message name that is not a string, and accepts one that is', () => {
    expect(refusal({ ...base, user: 42 })).toEqual({
      param: 'user',
      code: 'invalid_type',
      message: 'user must be a string.',
    });
    const named = { role: 'user', content: 'Hi', name: { first: 'Ada' } };
    expect(refusal({ ...base, messages: [named] })).toMatchObject({
      param: 'messages[0].name',
      code: 'invalid_type',
    });
    const ok = { ...base, user: 'svc-42', messages: [{ ...base.messages[0], name: 'ada' }] };
    expect(parseOpenAiChatRequest(ok).request.messages).toEqual(base.messages);
  });

  it('requires a model and a message', () => {
    expect(refusal({ messages: base.messages })).toMatchObject({ param: 'model' });
    expect(refusal({ model: 'm', messages: [] })).toMatchObject({ param: 'messages' });
    expect(refusal('not an object')).toMatchObject({ param: null });
  });

  it('says how to send the body when none was read (no body, or one not sent as JSON)', () => {
    expect(refusal(undefined)).toEqual({
      param: null,
      code: 'invalid_type',
      message: expect.stringContaining('Content-Type: application/json'),
    });
  });

  it('takes a role or parameter named like an Object method for what it is: unknown', () => {
    expect(refusal({ ...base, constructor: 1 })).toMatchObject({ code: 'unknown_parameter' });
    expect(refusal({ ...base, messages: [{ role: 'toString', content: 'x' }] })).toEqual({
      param: 'messages[0].role',
      code: 'invalid_value',
      message: expect.stringContaining('"developer"'),
    });
  });

  it('allows stream_options only on a stream', () => {
    expect(refusal({ ...base, stream_options: { include_usage: true } })).toMatchObject({
      param: 'stream_options',
    });
  });

  it("names the caller's own parameter when a limit of the protocol is broken", () => {
    expect(refusal({ ...base, max_completion_tokens: 0 })).toMatchObject({
      param: 'max_completion_tokens',
      code: 'invalid_value',
    });
    expect(refusal({ ...base, max_tokens: 1.5 })).toMatchObject({ param: 'max_tokens' });
    expect(refusal({ ...base, temperature: 3 })).toMatchObject({ param: 'temperature' });
    expect(refusal({ ...base, max_tokens: 5, max_completion_tokens: 5 })).toMatchObject({
      param: 'max_tokens',
    });
  });
});
