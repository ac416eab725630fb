import type {
  ChatRole,
  ConversationMessage,
  ConversationSummary,
  ErrorCode,
  FinishReason,
  MessageStatus,
} from '@tokenstream/stream-contracts';
import type { Selectable } from 'kysely';
import type { ConversationsTable, MessagesTable } from '../database/database-tables';

/** The row of a new, complete message (a reply's place starts from it). */
export function newMessageRow(
  conversationId: string,
  parentId: string | null,
  role: ChatRole,
  at: Date,
  message: { id: string; content: string },
) {
  return {
    id: message.id,
    conversation_id: conversationId,
    parent_id: parentId,
    role,
    content: message.content,
    status: 'complete' satisfies MessageStatus,
    model: null,
    stream_id: null,
    finish_reason: null,
    error_code: null,
    prompt_tokens: null,
    completion_tokens: null,
    total_tokens: null,
    ttft_ms: null,
    duration_ms: null,
    created_at: at,
  };
}

/** A conversation's row as the api shows it in a list. */
export function toSummary(
  row: Pick<Selectable<ConversationsTable>, 'id' | 'title' | 'created_at' | 'updated_at'>,
): ConversationSummary {
  return {
    id: row.id,
    title: row.title,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** A message's row as the api shows it. */
export function toMessage(row: Selectable<MessagesTable>): ConversationMessage {
  return {
    id: row.id,
    parentId: row.parent_id,
    role: row.role as ChatRole,
    content: row.content,
    reasoning: row.reasoning,
    status: row.status as MessageStatus,
    model: row.model,
    streamId: row.stream_id,
    finishReason: row.finish_reason as FinishReason | null,
    errorCode: row.error_code as ErrorCode | null,
    usage:
      row.total_tokens === null
        ? null
        : {
            promptTokens: row.prompt_tokens ?? 0,
            completionTokens: row.completion_tokens ?? 0,
            totalTokens: row.total_tokens,
          },
    ttftMs: row.ttft_ms,
    durationMs: row.duration_ms,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
