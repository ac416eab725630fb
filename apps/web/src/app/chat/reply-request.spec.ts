import { ChatNode } from './conversation-tree';
import { replyRequest } from './reply-request';

const question: ChatNode = {
  id: 'q2',
  parentId: 'a1',
  role: 'user',
  text: 'And then?',
  status: 'done',
  kept: true,
};
const path: ChatNode[] = [
  { id: 'q1', parentId: null, role: 'user', text: 'Hi', status: 'done', kept: true },
  { id: 'a1', parentId: 'q1', role: 'assistant', text: 'Hello', status: 'done', kept: true },
  question,
];
const kept = { temporary: false, conversationId: 'c1', model: undefined };

describe('replyRequest', () => {
  it('sends a new question of a kept conversation alone, with where it follows', () => {
    expect(replyRequest({ ...kept, path, newQuestion: true })).toEqual({
      messages: [{ role: 'user', content: 'And then?' }],
      conversation: { id: 'c1', parentId: 'a1' },
    });
  });

  it('sends no message to regenerate a kept reply: only the question it answers', () => {
    expect(replyRequest({ ...kept, path, newQuestion: false, model: 'gpt-x' })).toEqual({
      messages: [],
      model: 'gpt-x',
      conversation: { id: 'c1', parentId: 'q2' },
    });
  });

  it('names no conversation and no parent for the first question of a new one', () => {
    const first = { ...question, parentId: null };
    const request = replyRequest({
      ...kept,
      conversationId: undefined,
      path: [first],
      newQuestion: true,
    });
    expect(request.conversation).toEqual({});
  });

  it('sends the whole branch of a temporary chat, and no conversation', () => {
    const request = replyRequest({ ...kept, temporary: true, path, newQuestion: true });
    expect(request.conversation).toBeUndefined();
    expect(request.messages.map((message) => message.content)).toEqual([
      'Hi',
      'Hello',
      'And then?',
    ]);
  });
});
