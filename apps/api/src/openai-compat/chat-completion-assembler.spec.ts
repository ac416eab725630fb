import { ApiException } from '../common/api-exception';
import { ChatCompletionAssembler } from './chat-completion-assembler';

const request = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Hi' }] };

describe('ChatCompletionAssembler', () => {
  it('answers the whole text, the reason and the usage once the reply finishes', () => {
    const assembler = new ChatCompletionAssembler('chatcmpl-1', 1, request);
    expect(assembler.add({ type: 'start', streamId: 's', model: 'gpt-4o-mini' })).toBeUndefined();
    expect(assembler.add({ type: 'text-delta', delta: 'Hel' })).toBeUndefined();
    expect(assembler.add({ type: 'text-delta', delta: 'lo' })).toBeUndefined();
    const usage = { promptTokens: 2, completionTokens: 1, totalTokens: 3 };
    expect(assembler.add({ type: 'finish', finishReason: 'cancelled', usage })).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-4o-mini',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hello', refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 },
    });
  });

  it('throws a failure as an HTTP error with a matching status', () => {
    const assembler = new ChatCompletionAssembler('chatcmpl-1', 1, request);
    let thrown: unknown;
    try {
      assembler.add({
        type: 'error',
        code: 'upstream_rate_limited',
        message: 'Busy.',
        retryable: true,
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ApiException);
    expect(thrown).toMatchObject({ statusCode: 429, code: 'upstream_rate_limited' });
  });
});
