import type { ConversationMessage, ConversationSummary } from '@tokenstream/stream-contracts';

/** Late today, local time: a conversation a few minutes before it is still today's. */
export const LATE_TODAY = new Date(new Date().setHours(23, 0, 0, 0)).getTime();

/** A kept conversation as the list shows it, last changed `msAgo` before {@link LATE_TODAY}. */
export function summary(id: string, title: string, msAgo: number): ConversationSummary {
  const at = new Date(LATE_TODAY - msAgo).toISOString();
  return { id, title, createdAt: at, updatedAt: at };
}

/** A complete user message; `fields` change any of its parts. */
export function userMessage(
  id: string,
  parentId: string | null,
  content: string,
  fields: Partial<ConversationMessage> = {},
): ConversationMessage {
  return {
    id,
    parentId,
    role: 'user',
    content,
    reasoning: '',
    status: 'complete',
    model: null,
    streamId: null,
    finishReason: null,
    errorCode: null,
    usage: null,
    ttftMs: null,
    durationMs: null,
    createdAt: '2026-12-04T08:00:00.000Z',
    ...fields,
  };
}

/** A complete reply of the demo model, written by the stream `stream-of-<id>` unless `fields` say otherwise. */
export function assistantMessage(
  id: string,
  parentId: string,
  content: string,
  fields: Partial<ConversationMessage> = {},
): ConversationMessage {
  return userMessage(id, parentId, content, {
    role: 'assistant',
    model: 'demo',
    streamId: `stream-of-${id}`,
    finishReason: 'stop',
    ...fields,
  });
}
