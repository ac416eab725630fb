import { ChatRequest } from '@tokenstream/stream-contracts';
import { AssistantTurn, historyOf, ReplyStatus, Turn, UserTurn } from './conversation';

const request: ChatRequest = { messages: [] };
let id = 0;

function user(content: string): UserTurn {
  return { id: id++, role: 'user', content };
}

function reply(text: string, status: ReplyStatus): AssistantTurn {
  return { id: id++, role: 'assistant', request, text, status };
}

describe('historyOf', () => {
  it('is empty for an empty conversation', () => {
    expect(historyOf([])).toEqual([]);
  });

  it('holds every completed exchange, in order', () => {
    const turns: Turn[] = [user('a'), reply('A', 'done'), user('b'), reply('B', 'done')];

    expect(historyOf(turns)).toEqual([
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'A' },
      { role: 'user', content: 'b' },
      { role: 'assistant', content: 'B' },
    ]);
  });

  it('leaves out exchanges whose reply was stopped, failed or is still streaming', () => {
    const turns: Turn[] = [
      user('stopped'),
      reply('half', 'stopped'),
      user('failed'),
      reply('', 'failed'),
      user('kept'),
      reply('whole', 'done'),
      user('now'),
      reply('stream', 'streaming'),
    ];

    expect(historyOf(turns)).toEqual([
      { role: 'user', content: 'kept' },
      { role: 'assistant', content: 'whole' },
    ]);
  });
});
