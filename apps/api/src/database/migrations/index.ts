import type { Migration } from 'kysely';
import { conversationsMigration } from './0001-conversations';
import { reasoningMigration } from './0002-reasoning';
import { keysAndAuditMigration } from './0003-keys-and-audit';
import { usageAndBudgetsMigration } from './0004-usage-and-budgets';

/**
 * Every migration, by name, applied in name order. Add one with the next number; never change or
 * rename one that was released: databases out there have it applied under its name.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-conversations': conversationsMigration,
  '0002-reasoning': reasoningMigration,
  '0003-keys-and-audit': keysAndAuditMigration,
  '0004-usage-and-budgets': usageAndBudgetsMigration,
};
