import type { ChatMessage, ChatRole } from './chat-request';

/** A message of a conversation as kept or shown, with whether a reply completed. */
export interface HistoryMessage {
  role: ChatRole;
  content: string;
  /** For an assistant message: true when its reply finished (not stopped, not failed). */
  complete?: boolean;
}

/**
 * What the model reads of a conversation's branch: every exchange whose reply completed, in order.
 * An exchange whose reply was stopped or failed is left out whole, so the model never sees a
 * question without its answer or half an answer presented as whole; a last user message that has
 * no reply yet (the one being answered) stays.
 */
export function modelHistory(branch: readonly HistoryMessage[]): ChatMessage[] {
  const history: ChatMessage[] = [];
  branch.forEach((message, index) => {
    const next = branch[index + 1];
    if (message.role === 'system') history.push({ role: 'system', content: message.content });
    if (message.role !== 'user') return;
    if (next === undefined) {
      history.push({ role: 'user', content: message.content });
    } else if (next.role === 'assistant' && next.complete) {
      history.push(
        { role: 'user', content: message.content },
        { role: 'assistant', content: next.content },
      );
    }
  });
  return history;
}
