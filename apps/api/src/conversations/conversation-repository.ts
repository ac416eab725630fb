import type {
  Conversation,
  ConversationListQuery,
  ConversationMessage,
  ConversationPage,
  ConversationSummary,
  ErrorCode,
  FinishReason,
  MessageStatus,
  Usage,
} from '@tokenstream/stream-contracts';
import { sql, type Selectable } from 'kysely';
import type { MessagesTable } from '../database/database-tables';
import type { AppDatabase } from '../database/open-database';
import { conversationPage } from './conversation-page';
import { newMessageRow, toMessage, toSummary } from './conversation-rows';

/** What {@link ConversationRepository.list} throws for a cursor this api did not make. */
export { BadCursorError } from './conversation-page-cursor';

/** A new turn: the user's message (none for a regenerate) and the reply's place, kept at once. */
export interface NewTurn {
  owner: string;
  conversationId: string;
  /** True when the conversation does not exist yet: it is made, titled `title`. */
  isNewConversation: boolean;
  title: string;
  /** The message the turn follows: the user message to answer again, or where a new one goes. */
  parentId: string | null;
  userMessage?: { id: string; content: string };
  reply: { id: string; streamId: string; model: string };
  at: Date;
}

/** How a reply ended, as it is kept. */
export interface ReplyEnd {
  content: string;
  /** A reasoning model's thinking, before the content. */
  reasoning: string;
  status: Exclude<MessageStatus, 'generating'>;
  finishReason: FinishReason | null;
  errorCode: ErrorCode | null;
  usage: Usage | null;
  ttftMs: number | null;
  durationMs: number | null;
}

/**
 * Conversations and their messages in PostgreSQL (a server, or the embedded one: one SQL for
 * both). Every read and change names its owner: another principal's conversation is not found.
 */
export class ConversationRepository {
  constructor(private readonly db: AppDatabase) {}

  /** The owner's conversations, most recently updated first, a page at a time. */
  list(owner: string, query: ConversationListQuery = {}): Promise<ConversationPage> {
    return conversationPage(this.db, owner, query);
  }

  /** The conversation with every message of every branch, or undefined if the owner has none. */
  async get(owner: string, id: string): Promise<Conversation | undefined> {
    const row = await this.db
      .selectFrom('conversations')
      .selectAll()
      .where('id', '=', id)
      .where('owner', '=', owner)
      .executeTakeFirst();
    if (!row) return undefined;
    const messages = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', id)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return {
      ...toSummary(row),
      activeLeafId: row.active_leaf_id,
      messages: messages.map(toMessage),
    };
  }

  /** Whether the owner has this conversation. */
  async exists(owner: string, id: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('conversations')
      .select('id')
      .where('id', '=', id)
      .where('owner', '=', owner)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * The branch that ends at `messageId`, root first, or undefined when the owner's conversation
   * holds no such message.
   */
  async branch(
    owner: string,
    conversationId: string,
    messageId: string,
  ): Promise<ConversationMessage[] | undefined> {
    const { rows } = await sql<Selectable<MessagesTable> & { depth: number }>`
      with recursive branch as (
        select m.*, 0 as depth
          from messages m join conversations c on c.id = m.conversation_id
          where m.id = ${messageId} and c.id = ${conversationId} and c.owner = ${owner}
        union all
        select m.*, b.depth + 1
          from messages m join branch b on m.id = b.parent_id
      )
      select * from branch order by depth desc`.execute(this.db);
    return rows.length === 0 ? undefined : rows.map(toMessage);
  }

  /**
   * Keeps a new turn in one transaction: the conversation (when new), the user's message, the
   * reply's place (`generating`, with its stream), and the branch shown becomes the new one.
   */
  async startTurn(turn: NewTurn): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      if (turn.isNewConversation) {
        await tx
          .insertInto('conversations')
          .values({
            id: turn.conversationId,
            owner: turn.owner,
            title: turn.title,
            created_at: turn.at,
            updated_at: turn.at,
            active_leaf_id: null,
          })
          .execute();
      }
      let parentId = turn.parentId;
      if (turn.userMessage) {
        await tx
          .insertInto('messages')
          .values(newMessageRow(turn.conversationId, parentId, 'user', turn.at, turn.userMessage))
          .execute();
        parentId = turn.userMessage.id;
      }
      await tx
        .insertInto('messages')
        .values({
          // A millisecond after its question, so "oldest first" puts the question first.
          ...newMessageRow(turn.conversationId, parentId, 'assistant', new Date(+turn.at + 1), {
            id: turn.reply.id,
            content: '',
          }),
          status: 'generating' satisfies MessageStatus,
          model: turn.reply.model,
          stream_id: turn.reply.streamId,
        })
        .execute();
      const updated = await tx
        .updateTable('conversations')
        .set({ active_leaf_id: turn.reply.id, updated_at: turn.at })
        .where('id', '=', turn.conversationId)
        .where('owner', '=', turn.owner)
        .executeTakeFirst();
      // Deleted (or never the owner's) since the turn was checked: keep nothing.
      if (updated.numUpdatedRows === 0n) throw new ConversationGoneError(turn.conversationId);
    });
  }

  /** Keeps how a reply ended; a reply that already ended is left as it was. */
  async finishReply(messageId: string, end: ReplyEnd): Promise<void> {
    await this.db
      .updateTable('messages')
      .set({
        content: end.content,
        reasoning: end.reasoning,
        status: end.status,
        finish_reason: end.finishReason,
        error_code: end.errorCode,
        prompt_tokens: end.usage?.promptTokens ?? null,
        completion_tokens: end.usage?.completionTokens ?? null,
        total_tokens: end.usage?.totalTokens ?? null,
        ttft_ms: end.ttftMs,
        duration_ms: end.durationMs,
      })
      .where('id', '=', messageId)
      .where('status', '=', 'generating' satisfies MessageStatus)
      .execute();
  }

  /** Renames the conversation and/or shows another branch; undefined if the owner has none. */
  async update(
    owner: string,
    id: string,
    change: { title?: string; activeLeafId?: string },
    at: Date,
  ): Promise<ConversationSummary | undefined | 'no-such-message'> {
    return this.db.transaction().execute(async (tx) => {
      if (change.activeLeafId !== undefined) {
        const leaf = await tx
          .selectFrom('messages')
          .select('id')
          .where('id', '=', change.activeLeafId)
          .where('conversation_id', '=', id)
          .executeTakeFirst();
        if (!leaf) {
          // Inside the transaction: the embedded database has one connection, which it holds.
          const owned = await tx
            .selectFrom('conversations')
            .select('id')
            .where('id', '=', id)
            .where('owner', '=', owner)
            .executeTakeFirst();
          return owned ? 'no-such-message' : undefined;
        }
      }
      const row = await tx
        .updateTable('conversations')
        .set({
          ...(change.title === undefined ? {} : { title: change.title, updated_at: at }),
          ...(change.activeLeafId === undefined ? {} : { active_leaf_id: change.activeLeafId }),
        })
        .where('id', '=', id)
        .where('owner', '=', owner)
        .returning(['id', 'title', 'created_at', 'updated_at'])
        .executeTakeFirst();
      return row && toSummary(row);
    });
  }

  /** Deletes the conversation and its messages; false if the owner has none. */
  async delete(owner: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('conversations')
      .where('id', '=', id)
      .where('owner', '=', owner)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Deletes every conversation not updated since `cutoff`; resolves to how many. */
  async deleteUpdatedBefore(cutoff: Date): Promise<number> {
    const result = await this.db
      .deleteFrom('conversations')
      .where('updated_at', '<', cutoff)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Forgets a turn whose reply never started (its stream could not be made). */
  async discardTurn(turn: NewTurn): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      if (turn.isNewConversation) {
        await tx.deleteFrom('conversations').where('id', '=', turn.conversationId).execute();
        return;
      }
      await tx.deleteFrom('messages').where('id', '=', turn.reply.id).execute();
      if (turn.userMessage) {
        await tx.deleteFrom('messages').where('id', '=', turn.userMessage.id).execute();
      }
      await tx
        .updateTable('conversations')
        .set({ active_leaf_id: turn.parentId })
        .where('id', '=', turn.conversationId)
        .where('active_leaf_id', '=', turn.reply.id)
        .execute();
    });
  }
}

/** The conversation was deleted while a turn was being added to it. */
export class ConversationGoneError extends Error {
  constructor(readonly conversationId: string) {
    super(`conversation ${conversationId} no longer exists`);
    this.name = 'ConversationGoneError';
  }
}
