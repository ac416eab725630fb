import type { Kysely, Migration } from 'kysely';

/** A reasoning model's thinking, kept with its reply (issue 13); empty for other replies. */
export const reasoningMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('messages')
      .addColumn('reasoning', 'text', (column) => column.notNull().defaultTo(''))
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('messages').dropColumn('reasoning').execute();
  },
};
