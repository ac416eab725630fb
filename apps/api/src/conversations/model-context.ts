import {
  ChatRequestLimits,
  modelHistory,
  type ChatMessage,
  type ConversationMessage,
} from '@tokenstream/stream-contracts';

/**
 * What the model reads of a branch (see `modelHistory`: the exchanges whose reply completed), then
 * only the newest messages that fit a request's bounds (as many messages and characters as
 * `POST /api/chat/stream` accepts), so a long conversation goes on rather than failing on its own
 * length.
 */
export function modelContext(branch: readonly ConversationMessage[]): ChatMessage[] {
  const messages = modelHistory(
    branch.map(({ role, content, status }) => ({ role, content, complete: status === 'complete' })),
  );
  let chars = 0;
  let first = messages.length;
  while (first > 0 && messages.length - first < ChatRequestLimits.maxMessages) {
    const size = messages[first - 1]?.content.length ?? 0;
    if (chars + size > ChatRequestLimits.maxTotalChars) break;
    chars += size;
    first -= 1;
  }
  return messages.slice(first);
}
