import { ChatRequest, modelHistory } from '@tokenstream/stream-contracts';
import { ChatNode } from './conversation-tree';

/** Where a reply is asked for, and of which model. */
export interface ReplyAsk {
  /** The branch the reply follows, from the first message to its question. */
  path: readonly ChatNode[];
  /** Whether the question is sent now, or one the api keeps already (a reply regenerated). */
  newQuestion: boolean;
  /** A temporary chat: the api keeps nothing, so the whole branch is sent. */
  temporary: boolean;
  /** The kept conversation, once the api made it. */
  conversationId: string | undefined;
  /** The model asked; undefined lets the api choose. */
  model: string | undefined;
}

/**
 * The request for a reply. A temporary chat sends the whole branch; a kept conversation sends
 * only what the api does not have yet (the new question, or nothing) and where the reply goes.
 */
export function replyRequest(ask: ReplyAsk): ChatRequest {
  const model = ask.model ? { model: ask.model } : {};
  if (ask.temporary) return { messages: modelHistory(ask.path.map(historyOf)), ...model };
  const question = ask.path.at(-1);
  // What the new message follows: the question's parent when it is new, else the question.
  const parentId = ask.newQuestion ? question?.parentId : question?.id;
  return {
    messages: ask.newQuestion && question ? [{ role: 'user', content: question.text }] : [],
    ...model,
    conversation: {
      ...(ask.conversationId ? { id: ask.conversationId } : {}),
      ...(parentId ? { parentId } : {}),
    },
  };
}

function historyOf(node: ChatNode) {
  return { role: node.role, content: node.text, complete: node.status === 'done' };
}
