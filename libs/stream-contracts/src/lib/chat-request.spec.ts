import { ChatRequestLimits, parseChatRequest } from './chat-request';

const user = (content: string) => ({ role: 'user', content });

function problemsOf(input: unknown) {
  const result = parseChatRequest(input);
  if (result.ok) throw new Error('expected the request to be refused');
  return result.problems;
}

describe('parseChatRequest', () => {
  it('accepts a conversation with every optional field', () => {
    const request = {
      model: 'gpt-4o-mini',
      temperature: 0.7,
      maxTokens: 256,
      messages: [
        { role: 'system', content: 'Be brief.' },
        user('Hi'),
        { role: 'assistant', content: '' },
      ],
    };
    expect(parseChatRequest(request)).toEqual({ ok: true, request });
  });

  it('accepts every limit exactly at its bound', () => {
    const L = ChatRequestLimits;
    const messages = Array.from({ length: L.maxMessages }, () => user('x'));
    messages[0] = user('x'.repeat(L.maxMessageChars));
    expect(
      parseChatRequest({ messages, temperature: L.maxTemperature, maxTokens: L.maxTokens }).ok,
    ).toBe(true);
  });

  it.each([
    ['a body that is not an object', 'hello', '(body)'],
    ['a missing conversation', {}, 'messages'],
    ['an empty conversation', { messages: [] }, 'messages'],
    ['a wrong role', { messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].role'],
    ['missing content', { messages: [{ role: 'user' }] }, 'messages[0].content'],
    [
      'too many messages',
      { messages: Array.from({ length: ChatRequestLimits.maxMessages + 1 }, () => user('x')) },
      'messages',
    ],
    [
      'a message that is too long',
      { messages: [user('x'.repeat(ChatRequestLimits.maxMessageChars + 1))] },
      'messages[0].content',
    ],
    ['an empty model name', { messages: [user('x')], model: '' }, 'model'],
    ['a negative temperature', { messages: [user('x')], temperature: -0.1 }, 'temperature'],
    [
      'a temperature that is not a number',
      { messages: [user('x')], temperature: '1' },
      'temperature',
    ],
    ['zero maxTokens', { messages: [user('x')], maxTokens: 0 }, 'maxTokens'],
    ['an unknown field on a message', { messages: [{ ...user('x'), name: 'bob' }] }, 'messages[0]'],
  ])('refuses %s, naming %s', (_name, input, path) => {
    expect(problemsOf(input).map((problem) => problem.path)).toContain(path);
  });

  it('refuses a conversation over the total size, saying how large it was', () => {
    const count =
      Math.ceil(ChatRequestLimits.maxTotalChars / ChatRequestLimits.maxMessageChars) + 1;
    const messages = Array.from({ length: count }, () =>
      user('x'.repeat(ChatRequestLimits.maxMessageChars)),
    );
    const [problem] = problemsOf({ messages });
    expect(problem.path).toBe('messages');
    expect(problem.message).toContain(String(count * ChatRequestLimits.maxMessageChars));
  });

  it('names every problem at once, not just the first', () => {
    const problems = problemsOf({
      messages: [{ role: 'x', content: 1 }],
      temperature: 9,
      extra: true,
    });
    expect(problems.map((problem) => problem.path).sort()).toEqual(
      ['(body)', 'messages[0].content', 'messages[0].role', 'temperature'].sort(),
    );
    expect(problems.find((p) => p.path === '(body)')?.message).toBe('unknown field(s): extra');
  });

  describe('a turn of a kept conversation', () => {
    const id = '01a24276-b7d0-7e71-893f-b4154748ef32';
    const parentId = '01a24276-cbc4-7c12-9460-b21089145717';

    it('accepts a new message, in a new or a named conversation', () => {
      expect(parseChatRequest({ messages: [user('Hi')], conversation: {} }).ok).toBe(true);
      expect(parseChatRequest({ messages: [user('Hi')], conversation: { id, parentId } }).ok).toBe(
        true,
      );
    });

    it('accepts no message to answer parentId again (a regenerate)', () => {
      expect(parseChatRequest({ messages: [], conversation: { id, parentId } }).ok).toBe(true);
    });

    it('refuses history sent along: the server keeps it', () => {
      const problems = problemsOf({
        messages: [user('Hi'), { role: 'assistant', content: 'Hello' }, user('And?')],
        conversation: { id, parentId },
      });
      expect(problems).toEqual([
        {
          path: 'messages',
          message:
            'must hold only the new user message when a conversation is given (the server keeps the rest)',
        },
      ]);
    });

    it('refuses a regenerate that names nothing to answer', () => {
      expect(problemsOf({ messages: [], conversation: { id } })).toEqual([
        {
          path: 'conversation.parentId',
          message: 'must name the user message to answer again when no new message is sent',
        },
      ]);
    });

    it('refuses ids the server cannot have made, and unknown fields', () => {
      const problems = problemsOf({
        messages: [user('Hi')],
        conversation: { id: 'nope', parentId: "1' or 1=1", title: 'x' },
      });
      expect(problems.map((p) => p.path).sort()).toEqual(
        ['conversation', 'conversation.id', 'conversation.parentId'].sort(),
      );
    });

    it('still refuses an empty request without a conversation', () => {
      expect(problemsOf({ messages: [] })).toEqual([
        { path: 'messages', message: 'must hold at least one message' },
      ]);
    });
  });
});
