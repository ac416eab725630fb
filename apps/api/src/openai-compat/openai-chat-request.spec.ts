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
  it('passes the whole body through, and reads what tokenstream acts on', () => {
    const body = {
      ...base,
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Hi' }], name: 'ann' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function' }] },
        { role: 'tool', content: 'sunny', tool_call_id: 'c' },
      ],
      temperature: 0.2,
      max_completion_tokens: 40,
      stream: true,
      stream_options: { include_usage: true },
      tools: [{ type: 'function', function: { name: 'weather', parameters: {} } }],
      response_format: { type: 'json_object' },
      seed: 42,
      n: 2,
      a_parameter_openai_adds_next_year: { anything: [1, 2] },
    };
    expect(parseOpenAiChatRequest(body)).toEqual({
      request: {
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: '' },
          { role: 'user', content: 'sunny' },
        ],
        temperature: 0.2,
        maxTokens: 40,
        openAiBody: body,
      },
      stream: true,
      includeUsage: true,
    });
  });

  it('reads max_tokens, and treats null parameters as absent', () => {
    const body = { ...base, max_tokens: 7, temperature: null, stop: null };
    expect(parseOpenAiChatRequest(body).request).toMatchObject({ maxTokens: 7 });
    expect(parseOpenAiChatRequest(body).request).not.toHaveProperty('temperature');
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

  it('names the message whose role is not one of OpenAI’s', () => {
    expect(refusal({ ...base, messages: [{ role: 'toString', content: 'x' }] })).toMatchObject({
      param: 'messages[0].role',
      code: 'invalid_value',
    });
  });

  it('allows stream_options only on a stream', () => {
    expect(refusal({ ...base, stream_options: { include_usage: true } })).toMatchObject({
      param: 'stream_options',
    });
  });

  it('refuses a conversation over the size the native protocol allows', () => {
    const long = { role: 'user', content: 'x'.repeat(30_000) };
    expect(refusal({ ...base, messages: Array(8).fill(long) })).toMatchObject({
      param: 'messages',
      message: expect.stringContaining('240000 characters'),
    });
  });

  it("names the caller's own parameter when a limit is broken", () => {
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
