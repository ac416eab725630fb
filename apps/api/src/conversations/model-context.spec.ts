import { ChatRequestLimits, type ConversationMessage } from '@tokenstream/stream-contracts';
import { modelContext } from './model-context';

function message(
  role: 'user' | 'assistant',
  content: string,
  status: ConversationMessage['status'] = 'complete',
): ConversationMessage {
  return {
    id: 'x',
    parentId: null,
    role,
    content,
    reasoning: '',
    status,
    model: null,
    streamId: null,
    finishReason: null,
    errorCode: null,
    usage: null,
    ttftMs: null,
    durationMs: null,
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('modelContext', () => {
  it('is the branch in order, without exchanges whose reply did not complete', () => {
    expect(
      modelContext([
        message('user', 'Hi'),
        message('assistant', 'Hel', 'cancelled'),
        message('user', 'Hello?'),
        message('assistant', 'Hello!'),
        message('user', 'Thanks'),
      ]),
    ).toEqual([
      { role: 'user', content: 'Hello?' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'Thanks' },
    ]);
  });

  it('keeps only the newest messages that fit the request bounds', () => {
    const many = Array.from({ length: ChatRequestLimits.maxMessages + 20 }, (_, i) =>
      message(i % 2 ? 'assistant' : 'user', `m${i}`),
    );
    const kept = modelContext(many);
    expect(kept).toHaveLength(ChatRequestLimits.maxMessages);
    expect(kept.at(-1)?.content).toBe(`m${many.length - 1}`);

    const half = 'x'.repeat(ChatRequestLimits.maxTotalChars / 2);
    const big = modelContext([
      message('user', half),
      message('assistant', half),
      message('user', 'q'),
    ]);
    expect(big.map((m) => m.content)).toEqual([half, 'q']);
  });
});
