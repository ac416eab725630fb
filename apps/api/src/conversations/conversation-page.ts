import {
  ConversationLimits,
  type ConversationListQuery,
  type ConversationPage,
} from '@tokenstream/stream-contracts';
import { sql } from 'kysely';
import type { AppDatabase } from '../database/open-database';
import { decodeCursor, encodeCursor } from './conversation-page-cursor';
import { toSummary } from './conversation-rows';

/** The owner's conversations, most recently updated first, a page at a time. */
export async function conversationPage(
  db: AppDatabase,
  owner: string,
  query: ConversationListQuery,
): Promise<ConversationPage> {
  const limit = query.limit ?? ConversationLimits.defaultPageSize;
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  let select = db
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

/** `%` and `_` in a search are the letters themselves, not wildcards. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}
