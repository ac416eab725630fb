import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ErrorCodes,
  type Budget,
  type BudgetOwnerKind,
  type BudgetStatus,
} from '@tokenstream/stream-contracts';
import { ApiException } from '../common/api-exception';
import type { AppConfig } from '../config/app-config';
import { CONFIG } from '../config/config-slices';
import { Database } from '../database/database';
import { useDatabase } from '../database/database-access';
import { databaseUnavailable } from '../database/database-unavailable';
import type { AppDatabase } from '../database/open-database';
import { ApiMetrics } from '../metrics/api-metrics';
import type { Principal } from '../shared/principal';
import { UsageRepository, type SpendOwner } from '../usage/usage-repository';
import { UsageLog } from '../usage/usage-log';
import { periodStart } from './budget-period';
import { BudgetRepository, type OwnedBudget } from './budget-repository';

/**
 * How long the list of budgets and each owner's spend are trusted on this instance: a budget set,
 * or spend recorded, on another instance counts here within this time (and spend is written
 * within `USAGE_FLUSH_MS`), so a caller over budget is refused everywhere within a second.
 */
export const BUDGET_CACHE_MS = 500;

/** Whose budget a refusal names. */
const OWNER_OF: Record<OwnedBudget['kind'], (id: string) => string> = {
  key: () => "This key's",
  user: () => 'Your',
  group: (id) => `The group ${id}'s`,
};

/** The most owners whose spend is remembered; past it the cache starts again. */
const MAX_CACHED_SPEND = 10_000;

/**
 * Budgets in money: a made key's own, and those admins set per user and per group. {@link check}
 * runs before a reply or an embeddings call starts; a caller at or over any of its budgets gets
 * `429 budget_exceeded`. Spend is what the usage rows of the budget's period cost, so a reply
 * already running finishes, and the one after it is refused.
 */
@Injectable()
export class Budgets {
  private readonly logger = new Logger(Budgets.name);
  private readonly enabled: boolean;
  private known: { budgets: Map<string, OwnedBudget>; until: number } | undefined;
  private loading: Promise<Map<string, OwnedBudget>> | undefined;
  private readonly spend = new Map<string, { usd: number; until: number }>();

  constructor(
    @Inject(CONFIG.auth) auth: AppConfig['auth'],
    private readonly database: Database,
    usage: UsageLog,
    metrics: ApiMetrics,
  ) {
    // Without authentication every caller is the same anonymous one, who cannot be an admin:
    // nobody can set a budget, and none is checked.
    this.enabled = !auth.modes.includes('none');
    // Spend this instance just wrote is read afresh by the next check.
    usage.onWritten(() => this.spend.clear());
    metrics.watchBudgets(() => this.statuses());
  }

  /** Throws `429 budget_exceeded` when `principal` is at or over any of its budgets. */
  async check(principal: Principal, now = Date.now()): Promise<void> {
    if (!this.enabled) return;
    const owned = await this.budgetsOf(principal, now);
    if (owned.length === 0) return;
    const spent = await this.spentBy(owned, now);
    const over = owned.find((budget, index) => spent[index] >= budget.usd);
    if (!over) return;
    throw new ApiException(
      429,
      ErrorCodes.budgetExceeded,
      `${OWNER_OF[over.kind](over.id)} budget of $${over.usd} a ${over.period} is spent; it ` +
        `renews at the start of the next UTC ${over.period}.`,
    );
  }

  /** Every budget with what was spent against it this period. */
  async statuses(now = Date.now()): Promise<BudgetStatus[]> {
    const budgets = await this.use((repository) => repository.list());
    const spent = await this.spentBy(budgets, now, true);
    return budgets.map((budget, index) => ({ ...budget, spentUsd: spent[index] }));
  }

  async set(kind: BudgetOwnerKind, owner: string, budget: Budget, at: Date): Promise<void> {
    await this.use((repository) => repository.set(kind, owner, budget, at));
    this.known = undefined;
  }

  async remove(kind: BudgetOwnerKind, owner: string): Promise<boolean> {
    const removed = await this.use((repository) => repository.remove(kind, owner));
    this.known = undefined;
    return removed;
  }

  /** The budgets that bind `principal`: its key's, its own, its groups'. */
  private async budgetsOf(principal: Principal, now: number): Promise<OwnedBudget[]> {
    const owned: OwnedBudget[] = [];
    if (principal.keyId && principal.budget) {
      owned.push({ kind: 'key', id: principal.keyId, ...principal.budget });
    }
    const known = await this.current(now);
    const own = known.get(`user:${principal.id}`);
    if (own) owned.push(own);
    for (const group of principal.groups) {
      const budget = known.get(`group:${group}`);
      if (budget) owned.push(budget);
    }
    return owned;
  }

  /** The users' and groups' budgets, read at most every {@link BUDGET_CACHE_MS}. */
  private async current(now: number): Promise<Map<string, OwnedBudget>> {
    if (this.known && this.known.until > now) return this.known.budgets;
    this.loading ??= this.use(async (repository) => {
      const budgets = new Map<string, OwnedBudget>();
      for (const budget of await repository.list()) {
        if (budget.kind !== 'key') budgets.set(`${budget.kind}:${budget.id}`, budget);
      }
      return budgets;
    }).finally(() => (this.loading = undefined));
    const budgets = await this.loading;
    this.known = { budgets, until: now + BUDGET_CACHE_MS };
    return budgets;
  }

  /** What each budget's owner spent in its current period; cached unless `fresh`. */
  private async spentBy(
    budgets: readonly OwnedBudget[],
    now: number,
    fresh = false,
  ): Promise<number[]> {
    const keyOf = (budget: OwnedBudget) => `${budget.kind}:${budget.id}:${budget.period}`;
    const missing = budgets.filter((budget) => {
      const cached = this.spend.get(keyOf(budget));
      return fresh || !cached || cached.until <= now;
    });
    if (missing.length > 0) {
      const spent = await this.useDb((db) =>
        Promise.all(
          missing.map(async (budget) => {
            const since = periodStart(budget.period, now);
            const [usd] = await new UsageRepository(db).spent([ownerOf(budget)], since);
            return usd;
          }),
        ),
      );
      if (this.spend.size >= MAX_CACHED_SPEND) this.spend.clear();
      missing.forEach((budget, index) =>
        this.spend.set(keyOf(budget), { usd: spent[index], until: now + BUDGET_CACHE_MS }),
      );
    }
    return budgets.map((budget) => this.spend.get(keyOf(budget))?.usd ?? 0);
  }

  private use<T>(use: (repository: BudgetRepository) => Promise<T>): Promise<T> {
    return this.useDb((db) => use(new BudgetRepository(db)));
  }

  private useDb<T>(use: (db: AppDatabase) => Promise<T>): Promise<T> {
    return useDatabase(this.database, use, () => databaseUnavailable('Budgets'), this.logger);
  }
}

function ownerOf(budget: OwnedBudget): SpendOwner {
  return { kind: budget.kind, id: budget.id };
}
