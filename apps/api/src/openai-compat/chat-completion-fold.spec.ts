import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { ChatCompletionFold } from './chat-completion-fold';

const envelope = { id: 'chatcmpl-up', object: 'chat.completion.chunk' as const, created: 1 };

function chunk(
  delta: Record<string, unknown>,
  extra: Partial<ChatCompletionChunk.Choice> = {},
  index = 0,
): ChatCompletionChunk {
  return {
    ...envelope,
    model: 'gpt-x',
    choices: [{ index, delta, logprobs: null, finish_reason: null, ...extra }],
  };
}

const usage = { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 };
const fallback = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

describe('ChatCompletionFold', () => {
  it('joins tool calls by index, their arguments in order, and keeps the reasoning', () => {
    const fold = new ChatCompletionFold();
    for (const piece of [
      chunk({ role: 'assistant', content: null, reasoning_content: 'Think' }),
      chunk({ reasoning_content: 'ing.' }),
      chunk({
        tool_calls: [
          { index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } },
        ],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      chunk({
        tool_calls: [
          { index: 0, function: { arguments: '"Oslo"}' } },
          { index: 1, id: 'call_2', type: 'function', function: { name: 'g', arguments: '{}' } },
        ],
      }),
      chunk({}, { finish_reason: 'tool_calls' }),
      { ...envelope, model: 'gpt-x', choices: [], usage },
    ]) {
      fold.add(piece);
    }
    expect(fold.completion(fallback)).toEqual({
      ...envelope,
      object: 'chat.completion',
      model: 'gpt-x',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            refusal: null,
            annotations: [],
            reasoning_content: 'Thinking.',
            tool_calls: [
              {
                id: 'call_1',
                type: 'function',
                function: { name: 'f', arguments: '{"city":"Oslo"}' },
              },
              { id: 'call_2', type: 'function', function: { name: 'g', arguments: '{}' } },
            ],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage,
    });
  });

  it('keeps a refusal, log probabilities, fields it does not know and every choice', () => {
    const fold = new ChatCompletionFold();
    const token = (text: string) => ({ token: text, logprob: -0.1, bytes: [1], top_logprobs: [] });
    fold.add({ ...chunk({ refusal: 'No' }), system_fingerprint: 'fp_1' });
    fold.add(chunk({ refusal: ', sorry.' }, { finish_reason: 'stop' }));
    fold.add(
      chunk(
        { content: 'A', annotations: [{ type: 'x' }] },
        {
          logprobs: { content: [token('A')], refusal: null },
        },
        1,
      ),
    );
    fold.add(
      chunk(
        { content: 'B', annotations: [{ type: 'y' }] },
        { logprobs: { content: [token('B')], refusal: null }, finish_reason: 'length' },
        1,
      ),
    );
    const completion = fold.completion(fallback);
    expect(completion).toMatchObject({ system_fingerprint: 'fp_1', usage: fallback });
    expect(completion.choices).toEqual([
      {
        index: 0,
        message: { role: 'assistant', content: null, refusal: 'No, sorry.', annotations: [] },
        logprobs: null,
        finish_reason: 'stop',
      },
      {
        index: 1,
        // The annotations of every delta, in order.
        message: {
          role: 'assistant',
          content: 'AB',
          refusal: null,
          annotations: [{ type: 'x' }, { type: 'y' }],
        },
        logprobs: { content: [token('A'), token('B')], refusal: null },
        finish_reason: 'length',
      },
    ]);
    expect(fold.text).toBe('AB');
  });
});
