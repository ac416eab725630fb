import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Usage and cost, a row per reply and embeddings call (never content), and the budgets admins set
 * per user and per group (issue 23). Spend is read per budget owner over a UTC day or month, hence
 * the indexes by principal, key and group, each with the time.
 */
export const usageAndBudgetsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('usage_rows')
      .addColumn('id', 'bigint', (column) => column.primaryKey().generatedAlwaysAsIdentity())
      .addColumn('at', 'timestamptz', (column) => column.notNull())
      .addColumn('principal', 'text', (column) => column.notNull())
      .addColumn('key_id', 'uuid')
      .addColumn('groups', 'jsonb', (column) => column.notNull())
      .addColumn('api', 'text', (column) => column.notNull())
      .addColumn('model', 'text', (column) => column.notNull())
      .addColumn('deployment', 'text')
      .addColumn('prompt_tokens', 'integer', (column) => column.notNull())
      .addColumn('completion_tokens', 'integer', (column) => column.notNull())
      .addColumn('estimated', 'boolean', (column) => column.notNull())
      .addColumn('cost_usd', 'double precision', (column) => column.notNull())
      .addColumn('priced', 'boolean', (column) => column.notNull())
      .addColumn('ttft_ms', 'integer')
      .addColumn('duration_ms', 'integer', (column) => column.notNull())
      .addColumn('outcome', 'text', (column) => column.notNull())
      .execute();
    await db.schema.createIndex('usage_by_time').on('usage_rows').column('at').execute();
    await db.schema
      .createIndex('usage_by_principal')
      .on('usage_rows')
      .columns(['principal', 'at'])
      .execute();
    await db.schema
      .createIndex('usage_by_key')
      .on('usage_rows')
      .columns(['key_id', 'at'])
      .execute();
    await sql`create index usage_by_group on usage_rows using gin (groups)`.execute(db);
    await db.schema
      .createTable('budgets')
      .addColumn('kind', 'text', (column) => column.notNull())
      .addColumn('owner', 'text', (column) => column.notNull())
      .addColumn('usd', 'double precision', (column) => column.notNull())
      .addColumn('period', 'text', (column) => column.notNull())
      .addColumn('updated_at', 'timestamptz', (column) => column.notNull())
      .addPrimaryKeyConstraint('budgets_pk', ['kind', 'owner'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('budgets').execute();
    await db.schema.dropTable('usage_rows').execute();
  },
};
