import type { UsageGroupBy, UsageRow } from '@tokenstream/stream-contracts';
import { sql, type Expression, type SqlBool } from 'kysely';
import type { AppDatabase } from '../database/open-database';

/** One reply's or embeddings call's usage, as it is recorded. */
export interface UsageRecord {
  at: Date;
  principal: string;
  keyId: string | null;
  groups: readonly string[];
  api: 'native' | 'openai' | 'embeddings';
  model: string;
  deployment: string | null;
  promptTokens: number;
  completionTokens: number;
  estimated: boolean;
  costUsd: number;
  priced: boolean;
  ttftMs: number | null;
  durationMs: number;
  outcome: string;
}

/** Whose spend: a principal, a made key, or the members of a group. */
export type SpendOwner =
  { kind: 'user'; id: string } | { kind: 'key'; id: string } | { kind: 'group'; id: string };

/** Money is summed in floating point: rounded to the micro-dollar when it is answered. */
const roundUsd = (usd: number) => Math.round(usd * 1e6) / 1e6;

/** The `usage_rows` table: appended in batches, totalled for reports and budgets. */
export class UsageRepository {
  constructor(private readonly db: AppDatabase) {}

  async append(records: readonly UsageRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.db
      .insertInto('usage_rows')
      .values(
        records.map((record) => ({
          at: record.at,
          principal: record.principal,
          key_id: record.keyId,
          groups: JSON.stringify(record.groups),
          api: record.api,
          model: record.model,
          deployment: record.deployment,
          prompt_tokens: record.promptTokens,
          completion_tokens: record.completionTokens,
          estimated: record.estimated,
          cost_usd: record.costUsd,
          priced: record.priced,
          ttft_ms: record.ttftMs,
          duration_ms: record.durationMs,
          outcome: record.outcome,
        })),
      )
      .execute();
  }

  /**
   * Totals from `from` (inclusive) to `to` (exclusive), a row per value of `groupBy`, largest cost
   * first; only `principal`'s rows when it is given. A row counts in each of its groups; `key`
   * counts only the rows of made keys.
   */
  async totals(
    groupBy: UsageGroupBy,
    from: Date,
    to: Date,
    principal?: string,
  ): Promise<UsageRow[]> {
    const grouped = this.db
      .selectFrom('usage_rows')
      .where('at', '>=', from)
      .where('at', '<', to)
      .$if(principal !== undefined, (query) => query.where('principal', '=', principal as string))
      .$if(groupBy === 'key', (query) => query.where('key_id', 'is not', null));
    const by =
      groupBy === 'group'
        ? sql<string>`jsonb_array_elements_text(groups)`
        : groupBy === 'day'
          ? sql<string>`to_char(at at time zone 'UTC', 'YYYY-MM-DD')`
          : sql<string>`${sql.ref(COLUMN_OF[groupBy])}::text`;
    const rows = await grouped
      .select([
        by.as('value'),
        sql<number>`count(*)::int`.as('requests'),
        sql<number>`sum(prompt_tokens)::float8`.as('promptTokens'),
        sql<number>`sum(completion_tokens)::float8`.as('completionTokens'),
        sql<number>`sum(cost_usd)::float8`.as('costUsd'),
      ])
      .groupBy(sql`1`)
      .orderBy(groupBy === 'day' ? sql`1` : sql`5 desc, 1`)
      .execute();
    return rows.map(({ value, requests, promptTokens, completionTokens, costUsd }) => ({
      [groupBy]: value,
      requests,
      promptTokens,
      completionTokens,
      costUsd: roundUsd(costUsd),
    }));
  }

  /** What each owner spent from `since` on, in US dollars, in the order given. */
  async spent(owners: readonly SpendOwner[], since: Date): Promise<number[]> {
    return Promise.all(
      owners.map(async (owner) => {
        const row = await this.db
          .selectFrom('usage_rows')
          .select(sql<number>`coalesce(sum(cost_usd), 0)::float8`.as('usd'))
          .where('at', '>=', since)
          .where(ownedBy(owner))
          .executeTakeFirstOrThrow();
        return roundUsd(row.usd);
      }),
    );
  }

  /** Deletes the rows from before `before`; how many went. */
  async deleteBefore(before: Date): Promise<number> {
    const result = await this.db
      .deleteFrom('usage_rows')
      .where('at', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

const COLUMN_OF = { user: 'principal', key: 'key_id', model: 'model' } as const;

function ownedBy(owner: SpendOwner): Expression<SqlBool> {
  switch (owner.kind) {
    case 'user':
      return sql<SqlBool>`principal = ${owner.id}`;
    case 'key':
      return sql<SqlBool>`key_id = ${owner.id}::uuid`;
    case 'group':
      // Containment, which the GIN index on `groups` answers.
      return sql<SqlBool>`groups @> ${JSON.stringify([owner.id])}::jsonb`;
  }
}
