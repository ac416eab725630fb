import { isStreamFrame, isTerminalFrame, type StreamFrame } from './frames';

describe('frame guards', () => {
  const valid: StreamFrame[] = [
    { type: 'start', streamId: 's', model: 'm' },
    { type: 'text-delta', delta: '' },
    { type: 'finish', finishReason: 'cancelled' },
    {
      type: 'finish',
      finishReason: 'stop',
      usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 },
    },
    { type: 'error', code: 'upstream_error', message: 'm', retryable: false },
  ];

  it.each(valid)('accepts %j', (frame) => expect(isStreamFrame(frame)).toBe(true));

  it.each([
    null,
    [],
    { type: 'start', streamId: 's' },
    { type: 'text-delta', delta: 3 },
    { type: 'finish', finishReason: 'done' },
    { type: 'finish', finishReason: 'stop', usage: { promptTokens: 1 } },
    { type: 'error', code: 'x', message: 'm' },
    { type: 'tool-call' },
  ])('refuses %j', (value) => expect(isStreamFrame(value)).toBe(false));

  it('knows that only finish and error end a stream', () => {
    expect(valid.map(isTerminalFrame)).toEqual([false, false, true, true, true]);
  });
});
