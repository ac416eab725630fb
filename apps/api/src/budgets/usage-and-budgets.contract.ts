import { BudgetRepository } from './budget-repository';
import { newUuidV7 } from '../common/uuid-v7';
import type { AppDatabase } from '../database/open-database';
import { UsageRepository, type UsageRecord } from '../usage/usage-repository';

/**
 * What every database usage rows and budgets are kept in must do, run against the embedded
 * PostgreSQL and a real server. `open` gives a migrated, empty database.
 */
export function describeUsageAndBudgets(name: string, open: () => Promise<AppDatabase>): void {
  describe(`${name} (usage and budgets contract)`, () => {
    let db: AppDatabase;
    let usage: UsageRepository;
    let budgets: BudgetRepository;
    const keyId = newUuidV7();

    function row(change: Partial<UsageRecord>): UsageRecord {
      return {
        at: new Date('2026-12-07T10:00:00Z'),
        principal: 'proxy:alice',
        keyId: null,
        groups: [],
        api: 'native',
        model: 'gpt-4o',
        deployment: 'eu',
        promptTokens: 10,
        completionTokens: 20,
        estimated: false,
        costUsd: 0.0001,
        priced: true,
        ttftMs: 120,
        durationMs: 900,
        outcome: 'stop',
        ...change,
      };
    }

    beforeAll(async () => {
      db = await open();
      usage = new UsageRepository(db);
      budgets = new BudgetRepository(db);
      await usage.append([
        row({ groups: ['ml', 'eu'] }),
        row({ at: new Date('2026-12-07T23:59:59Z'), model: 'o1', costUsd: 0.0003, groups: ['ml'] }),
        row({
          principal: 'apikey:etl',
          keyId,
          at: new Date('2026-12-08T01:00:00Z'),
          groups: ['ml'],
          promptTokens: 5,
          completionTokens: 0,
          costUsd: 0.00002,
          api: 'embeddings',
          outcome: 'ok',
          ttftMs: null,
        }),
        row({ principal: 'proxy:bob', at: new Date('2026-11-30T12:00:00Z'), costUsd: 5 }),
      ]);
    });
    afterAll(() => db.destroy());

    const december = [new Date('2026-12-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z')] as const;

    it('totals a period by user, largest cost first, leaving out the rows outside it', async () => {
      expect(await usage.totals('user', ...december)).toEqual([
        {
          user: 'proxy:alice',
          requests: 2,
          promptTokens: 20,
          completionTokens: 40,
          costUsd: 0.0004,
        },
        { user: 'apikey:etl', requests: 1, promptTokens: 5, completionTokens: 0, costUsd: 0.00002 },
      ]);
    });

    it('totals by model, by made key only, by each group a row is in, and by UTC day', async () => {
      expect((await usage.totals('model', ...december)).map((r) => [r.model, r.requests])).toEqual([
        ['o1', 1],
        ['gpt-4o', 2],
      ]);
      expect(await usage.totals('key', ...december)).toEqual([
        { key: keyId, requests: 1, promptTokens: 5, completionTokens: 0, costUsd: 0.00002 },
      ]);
      expect((await usage.totals('group', ...december)).map((r) => [r.group, r.requests])).toEqual([
        ['ml', 3],
        ['eu', 1],
      ]);
      expect((await usage.totals('day', ...december)).map((r) => [r.day, r.requests])).toEqual([
        ['2026-12-07', 2],
        ['2026-12-08', 1],
      ]);
    });

    it("totals one caller's own rows", async () => {
      const own = await usage.totals('model', ...december, 'apikey:etl');
      expect(own).toEqual([
        { model: 'gpt-4o', requests: 1, promptTokens: 5, completionTokens: 0, costUsd: 0.00002 },
      ]);
    });

    it('sums what a user, a key and a group spent since a time', async () => {
      const since = new Date('2026-12-01T00:00:00Z');
      expect(
        await usage.spent(
          [
            { kind: 'user', id: 'proxy:alice' },
            { kind: 'key', id: keyId },
            { kind: 'group', id: 'ml' },
            { kind: 'group', id: 'nobody' },
            { kind: 'user', id: 'proxy:bob' },
          ],
          since,
        ),
      ).toEqual([0.0004, 0.00002, 0.00042, 0, 0]);
    });

    it('keeps budgets per user and group, replaced when set again, listed with the keys’', async () => {
      await budgets.set('user', 'proxy:alice', { usd: 10, period: 'month' }, new Date());
      await budgets.set('group', 'ml', { usd: 1, period: 'day' }, new Date());
      await budgets.set('user', 'proxy:alice', { usd: 20, period: 'day' }, new Date());
      await db
        .insertInto('api_keys')
        .values({
          id: keyId,
          name: 'etl',
          prefix: 'sk-ts-abcdef',
          sha256: 'f'.repeat(64),
          groups: '["ml"]',
          models: null,
          limits: null,
          budget: JSON.stringify({ usd: 3, period: 'month' }),
          expires_at: null,
          created_at: new Date(),
          created_by: 'proxy:admin',
        })
        .execute();
      expect(await budgets.list()).toEqual([
        { kind: 'group', id: 'ml', usd: 1, period: 'day' },
        { kind: 'user', id: 'proxy:alice', usd: 20, period: 'day' },
        { kind: 'key', id: keyId, usd: 3, period: 'month' },
      ]);
      expect(await budgets.remove('group', 'ml')).toBe(true);
      expect(await budgets.remove('group', 'ml')).toBe(false);
      expect((await budgets.list()).map((b) => b.kind)).toEqual(['user', 'key']);
    });

    it('deletes the rows past their retention, and no others', async () => {
      expect(await usage.deleteBefore(new Date('2026-12-01T00:00:00Z'))).toBe(1);
      expect(
        await usage.totals('user', new Date(0), new Date('2030-01-01T00:00:00Z')),
      ).toHaveLength(2);
    });
  });
}
