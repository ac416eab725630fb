import { sql, type Kysely, type Migration } from 'kysely';

/** Conversations and their message trees (issue 12). */
export const conversationsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('conversations')
      .addColumn('id', 'uuid', (column) => column.primaryKey())
      .addColumn('owner', 'text', (column) => column.notNull())
      .addColumn('title', 'text', (column) => column.notNull())
      .addColumn('created_at', 'timestamptz', (column) => column.notNull())
      .addColumn('updated_at', 'timestamptz', (column) => column.notNull())
      .addColumn('active_leaf_id', 'uuid')
      .execute();
    // The list's order (newest first, a page at a time) and the retention sweep.
    await db.schema
      .createIndex('conversations_by_owner')
      .on('conversations')
      .columns(['owner', 'updated_at desc', 'id desc'])
      .execute();
    await db.schema
      .createIndex('conversations_by_age')
      .on('conversations')
      .column('updated_at')
      .execute();
    await db.schema
      .createTable('messages')
      .addColumn('id', 'uuid', (column) => column.primaryKey())
      .addColumn('conversation_id', 'uuid', (column) =>
        column.notNull().references('conversations.id').onDelete('cascade'),
      )
      .addColumn('parent_id', 'uuid', (column) =>
        column.references('messages.id').onDelete('cascade'),
      )
      .addColumn('role', 'text', (column) => column.notNull())
      .addColumn('content', 'text', (column) => column.notNull())
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('model', 'text')
      .addColumn('stream_id', 'text')
      .addColumn('finish_reason', 'text')
      .addColumn('error_code', 'text')
      .addColumn('prompt_tokens', 'integer')
      .addColumn('completion_tokens', 'integer')
      .addColumn('total_tokens', 'integer')
      .addColumn('ttft_ms', 'integer')
      .addColumn('duration_ms', 'integer')
      .addColumn('created_at', 'timestamptz', (column) => column.notNull())
      .execute();
    await db.schema
      .createIndex('messages_by_conversation')
      .on('messages')
      .columns(['conversation_id', 'created_at', 'id'])
      .execute();
    // Replies still generating: few at any time, looked up by their stream.
    await db.schema
      .createIndex('messages_generating')
      .on('messages')
      .column('stream_id')
      .where(sql.ref('status'), '=', 'generating')
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('messages').execute();
    await db.schema.dropTable('conversations').execute();
  },
};
