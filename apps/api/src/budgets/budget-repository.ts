import type { Budget, BudgetOwnerKind } from '@tokenstream/stream-contracts';
import type { AppDatabase } from '../database/open-database';

/** A budget and whom it binds: a principal (`user`), a group, or a made key. */
export interface OwnedBudget extends Budget {
  kind: BudgetOwnerKind | 'key';
  id: string;
}

/** The `budgets` table (users' and groups'), and the budgets keys were made with. */
export class BudgetRepository {
  constructor(private readonly db: AppDatabase) {}

  /** Every budget: the users' and groups', then those of the keys in use. */
  async list(): Promise<OwnedBudget[]> {
    const rows = await this.db
      .selectFrom('budgets')
      .select(['kind', 'owner', 'usd', 'period'])
      .orderBy('kind')
      .orderBy('owner')
      .execute();
    const keys = await this.db
      .selectFrom('api_keys')
      .select(['id', 'budget'])
      .where('budget', 'is not', null)
      .where('revoked_at', 'is', null)
      .orderBy('created_at')
      .execute();
    return [
      ...rows.map((row) => ({
        kind: row.kind as BudgetOwnerKind,
        id: row.owner,
        usd: row.usd,
        period: row.period as Budget['period'],
      })),
      ...keys.flatMap(({ id, budget }) =>
        budget ? [{ kind: 'key' as const, id, ...budget }] : [],
      ),
    ];
  }

  /** Sets (or replaces) the budget of a user or a group. */
  async set(kind: BudgetOwnerKind, owner: string, budget: Budget, at: Date): Promise<void> {
    await this.db
      .insertInto('budgets')
      .values({ kind, owner, usd: budget.usd, period: budget.period, updated_at: at })
      .onConflict((conflict) =>
        conflict
          .columns(['kind', 'owner'])
          .doUpdateSet({ usd: budget.usd, period: budget.period, updated_at: at }),
      )
      .execute();
  }

  /** Removes a budget; whether there was one. */
  async remove(kind: BudgetOwnerKind, owner: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('budgets')
      .where('kind', '=', kind)
      .where('owner', '=', owner)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
