import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Keys made at runtime, stored as hashes, and the audit trail (issue 23). The trail refuses every
 * `UPDATE` and `DELETE` in the database itself, so no route, bug or script of the api can change it.
 */
export const keysAndAuditMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('api_keys')
      .addColumn('id', 'uuid', (column) => column.primaryKey())
      .addColumn('name', 'text', (column) => column.notNull())
      .addColumn('prefix', 'text', (column) => column.notNull())
      .addColumn('sha256', 'text', (column) => column.notNull().unique())
      .addColumn('groups', 'jsonb', (column) => column.notNull())
      .addColumn('models', 'jsonb')
      .addColumn('limits', 'jsonb')
      .addColumn('budget', 'jsonb')
      .addColumn('expires_at', 'timestamptz')
      .addColumn('created_at', 'timestamptz', (column) => column.notNull())
      .addColumn('created_by', 'text', (column) => column.notNull())
      .addColumn('revoked_at', 'timestamptz')
      .addColumn('last_used_at', 'timestamptz')
      .execute();
    // A name stands for one caller (`apikey:<name>`): one key in use per name at a time.
    await sql`create unique index api_keys_live_name on api_keys (name) where revoked_at is null`.execute(
      db,
    );
    await db.schema
      .createTable('audit_events')
      .addColumn('id', 'bigint', (column) => column.primaryKey().generatedAlwaysAsIdentity())
      .addColumn('at', 'timestamptz', (column) => column.notNull())
      .addColumn('actor', 'text', (column) => column.notNull())
      .addColumn('action', 'text', (column) => column.notNull())
      .addColumn('target', 'text', (column) => column.notNull())
      .addColumn('detail', 'jsonb', (column) => column.notNull())
      .execute();
    await db.schema.createIndex('audit_events_by_time').on('audit_events').column('at').execute();
    await sql`
      create function audit_events_are_kept() returns trigger language plpgsql as $$
      begin
        raise exception 'the audit trail is append-only';
      end $$
    `.execute(db);
    await sql`
      create trigger audit_events_append_only before update or delete or truncate on audit_events
      for each statement execute function audit_events_are_kept()
    `.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('audit_events').execute();
    await sql`drop function audit_events_are_kept()`.execute(db);
    await db.schema.dropTable('api_keys').execute();
  },
};
