import type { StreamFrame } from '@tokenstream/stream-contracts';
import { ChatCompletionChunker, DONE } from './chat-completion-chunker';

const request = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Hello!!' }] };

function run(frames: StreamFrame[], includeUsage = false) {
  const chunker = new ChatCompletionChunker('chatcmpl-1', 1_700_000_000, request, includeUsage);
  return frames.flatMap((frame) => chunker.eventsFor(frame));
}

const start: StreamFrame = { type: 'start', streamId: 's', model: 'gpt-4o' };

describe('ChatCompletionChunker', () => {
  it('sends a role chunk, content chunks, a finish chunk and [DONE]', () => {
    const events = run([
      start,
      { type: 'text-delta', delta: 'Hi' },
      { type: 'text-delta', delta: ' there' },
      { type: 'finish', finishReason: 'length' },
    ]);
    const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1_700_000_000 };
    const choice = { index: 0, logprobs: null };
    expect(events).toEqual([
      {
        ...base,
        model: 'gpt-4o',
        choices: [{ ...choice, delta: { role: 'assistant', content: '' }, finish_reason: null }],
      },
      {
        ...base,
        model: 'gpt-4o',
        choices: [{ ...choice, delta: { content: 'Hi' }, finish_reason: null }],
      },
      {
        ...base,
        model: 'gpt-4o',
        choices: [{ ...choice, delta: { content: ' there' }, finish_reason: null }],
      },
      { ...base, model: 'gpt-4o', choices: [{ ...choice, delta: {}, finish_reason: 'length' }] },
      DONE,
    ]);
  });

  it('reports a stopped reply as stop', () => {
    const events = run([start, { type: 'finish', finishReason: 'cancelled' }]);
    expect(events.at(-2)).toMatchObject({ choices: [{ finish_reason: 'stop' }] });
  });

  it('ends with a usage chunk with no choices when usage is asked for', () => {
    const events = run(
      [
        start,
        { type: 'text-delta', delta: 'Hi' },
        {
          type: 'finish',
          finishReason: 'stop',
          usage: { promptTokens: 3, completionTokens: 1, totalTokens: 4 },
        },
      ],
      true,
    );
    expect(
      events
        .slice(0, 3)
        .every((event) => typeof event === 'object' && 'usage' in event && event.usage === null),
    ).toBe(true);
    expect(events.at(-2)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
    });
    expect(events.at(-1)).toBe(DONE);
  });

  it('estimates the usage when the upstream reported none', () => {
    const events = run(
      [start, { type: 'text-delta', delta: 'abcdefgh' }, { type: 'finish', finishReason: 'stop' }],
      true,
    );
    expect(events.at(-2)).toMatchObject({
      usage: { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 },
    });
  });

  it('turns an error frame into an OpenAI error event, with no [DONE] after it', () => {
    const events = run([
      start,
      { type: 'text-delta', delta: 'Hi' },
      {
        type: 'error',
        code: 'upstream_timeout',
        message: 'The model took too long.',
        retryable: true,
      },
    ]);
    expect(events.at(-1)).toEqual({
      error: {
        message: 'The model took too long.',
        type: 'server_error',
        param: null,
        code: 'upstream_timeout',
      },
    });
    expect(events).not.toContain(DONE);
  });
});
