import { isStreamFrame, isTerminalFrame, type StreamFrame } from './frames';

describe('frame guards', () => {
  const valid: StreamFrame[] = [
    { type: 'start', streamId: 's', model: 'm' },
    { type: 'text-delta', delta: '' },
    { type: 'reasoning-delta', delta: 'Hmm.' },
    { type: 'openai-chunks', chunks: [{ id: 'chatcmpl-1', choices: [] }] },
    { type: 'finish', finishReason: 'cancelled' },
    {
      type: 'finish',
      finishReason: 'stop',
      usage: {
        promptTokens: 1,
        completionTokens: 2,
        totalTokens: 3,
        reasoningTokens: 1,
        cachedPromptTokens: 1,
      },
    },
    { type: 'error', code: 'upstream_error', message: 'm', retryable: false },
  ];

  it.each(valid)('accepts %j', (frame) => expect(isStreamFrame(frame)).toBe(true));

  it.each([
    null,
    [],
    { type: 'start', streamId: 's' },
    { type: 'text-delta', delta: 3 },
    { type: 'reasoning-delta' },
    { type: 'openai-chunks', chunks: ['not a chunk'] },
    { type: 'finish', finishReason: 'done' },
    { type: 'finish', finishReason: 'stop', usage: { promptTokens: 1 } },
    { type: 'error', code: 'x', message: 'm' },
    { type: 'tool-call' },
  ])('refuses %j', (value) => expect(isStreamFrame(value)).toBe(false));

  it('knows that only finish and error end a stream', () => {
    expect(valid.map(isTerminalFrame)).toEqual([false, false, false, false, true, true, true]);
  });
});
