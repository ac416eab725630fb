import {
  ConversationLimits,
  type ChatRole,
  type Conversation,
  type ConversationListQuery,
  type ConversationMessage,
  type ConversationPage,
  type ConversationSummary,
  type ErrorCode,
  type FinishReason,
  type MessageStatus,
  type Usage,
} from '@tokenstream/stream-contracts';
import { sql, type Selectable } from 'kysely';
import type { ConversationsTable, MessagesTable } from '../database/database-tables';
import type { AppDatabase } from '../database/open-database';

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

/** The column a page of conversations is ordered by, and the row it ended on. */
interface Cursor {
  updatedAt: Date;
  id: string;
}

/**
 * Conversations and their messages in PostgreSQL (a server, or the embedded one: one SQL for
 * both). Every read and change names its owner: another principal's conversation is not found.
 */
export class ConversationRepository {
  constructor(private readonly db: AppDatabase) {}

  /** The owner's conversations, most recently updated first, a page at a time. */
  async list(owner: string, query: ConversationListQuery = {}): Promise<ConversationPage> {
    const limit = query.limit ?? ConversationLimits.defaultPageSize;
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    let select = this.db
      .selectFrom('conversations as c')
      .select(['c.id', 'c.title', 'c.created_at', 'c.updated_at'])
      .where('c.owner', '=', owner);
    if (cursor) {
      select = select.where((eb) =>
        eb.or([
          eb('c.updated_at', '<', cursor.updatedAt),
          eb.and([eb('c.updated_at', '=', cursor.updatedAt), eb('c.id', '<', cursor.id)]),
        ]),
      );
    }
    const words = query.q?.trim();
    if (words) {
      const pattern = `%${escapeLike(words)}%`;
      select = select.where((eb) =>
        eb.or([
          eb('c.title', 'ilike', pattern),
          eb.exists(
            eb
              .selectFrom('messages as m')
              .select(sql.lit(1).as('one'))
              .whereRef('m.conversation_id', '=', 'c.id')
              .where('m.content', 'ilike', pattern),
          ),
        ]),
      );
    }
    const rows = await select
      .orderBy('c.updated_at', 'desc')
      .orderBy('c.id', 'desc')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      conversations: page.map(toSummary),
      nextCursor:
        rows.length > limit && last
          ? encodeCursor({ updatedAt: last.updated_at, id: last.id })
          : null,
    };
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
          .values(newMessage(turn.conversationId, parentId, 'user', turn.at, turn.userMessage))
          .execute();
        parentId = turn.userMessage.id;
      }
      await tx
        .insertInto('messages')
        .values({
          // A millisecond after its question, so "oldest first" puts the question first.
          ...newMessage(turn.conversationId, parentId, 'assistant', new Date(+turn.at + 1), {
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

function newMessage(
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

function toSummary(
  row: Pick<Selectable<ConversationsTable>, 'id' | 'title' | 'created_at' | 'updated_at'>,
): ConversationSummary {
  return {
    id: row.id,
    title: row.title,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function toMessage(row: Selectable<MessagesTable>): ConversationMessage {
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

/** `%` and `_` in a search are the letters themselves, not wildcards. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.updatedAt.toISOString(), cursor.id])).toString(
    'base64url',
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The cursor a page ended on; throws {@link BadCursorError} for one this api did not make. */
function decodeCursor(text: string): Cursor {
  try {
    const [at, id] = JSON.parse(Buffer.from(text, 'base64url').toString()) as unknown[];
    const updatedAt = new Date(String(at));
    if (typeof at === 'string' && typeof id === 'string' && UUID.test(id) && !isNaN(+updatedAt)) {
      return { updatedAt, id };
    }
  } catch {
    // Not JSON: refused below like any other cursor this api did not make.
  }
  throw new BadCursorError();
}

/** A page cursor this api did not make. */
export class BadCursorError extends Error {
  constructor() {
    super('cursor is not one this api made');
    this.name = 'BadCursorError';
  }
}
