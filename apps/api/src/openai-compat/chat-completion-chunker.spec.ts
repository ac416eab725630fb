import type { StreamFrame } from '@tokenstream/stream-contracts';
import { ChatCompletionChunker, DONE } from './chat-completion-chunker';

const envelope = { id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1, model: 'm' };
const toolCall = {
  ...envelope,
  system_fingerprint: 'fp_1',
  future_field: { kept: true },
  usage: null,
  choices: [
    {
      index: 0,
      delta: { tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] },
      logprobs: null,
      finish_reason: null,
    },
  ],
};
const usageChunk = {
  ...envelope,
  choices: [],
  usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
};
const frames: StreamFrame[] = [
  { type: 'start', streamId: 's', model: 'm' },
  { type: 'openai-chunks', chunks: [toolCall, usageChunk] },
  { type: 'finish', finishReason: 'stop' },
];

describe('ChatCompletionChunker', () => {
  it('sends the upstream chunks as they came, usage included when asked for, then [DONE]', () => {
    const chunker = new ChatCompletionChunker(true);
    expect(frames.flatMap((frame) => chunker.eventsFor(frame))).toEqual([
      toolCall,
      usageChunk,
      DONE,
    ]);
  });

  it('leaves out the usage a caller did not ask for, and nothing else', () => {
    const chunker = new ChatCompletionChunker(false);
    const { usage: _usage, ...withoutUsage } = toolCall;
    expect(frames.flatMap((frame) => chunker.eventsFor(frame))).toEqual([withoutUsage, DONE]);
  });

  it('ends a failed reply with OpenAI’s in-band error and no [DONE]', () => {
    const chunker = new ChatCompletionChunker(false);
    const events = chunker.eventsFor({
      type: 'error',
      code: 'upstream_timeout',
      message: 'Too slow.',
      retryable: true,
    });
    expect(events).toEqual([
      {
        error: {
          message: 'Too slow.',
          type: 'server_error',
          param: null,
          code: 'upstream_timeout',
        },
      },
    ]);
  });
});
