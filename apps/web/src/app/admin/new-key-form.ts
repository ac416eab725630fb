import type { NewApiKey } from '@tokenstream/stream-contracts';

/** What the "Make a key" form holds, as typed. */
export interface NewKeyFields {
  name: string;
  /** Comma-separated. */
  groups: string;
  /** Comma-separated; empty: every model. */
  models: string;
  /** A date (`YYYY-MM-DD`); empty: never. */
  expiresOn: string;
  /** Dollars; empty: no budget. */
  budgetUsd: string;
  budgetPeriod: string;
}

/**
 * The body of `POST /api/admin/keys` that the form's fields describe, or the problems to fix first.
 * The api checks the rest (the name's characters, an expiry in the past) and names what is wrong.
 */
export function newKeyFromFields(
  fields: NewKeyFields,
): { ok: true; key: NewApiKey } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const name = fields.name.trim();
  if (name === '') problems.push('Name the key.');
  const key: NewApiKey = { name };
  const groups = commaList(fields.groups);
  if (groups.length > 0) key.groups = groups;
  const models = commaList(fields.models);
  if (models.length > 0) key.models = models;
  if (fields.expiresOn !== '') key.expiresAt = `${fields.expiresOn}T00:00:00Z`;
  if (fields.budgetUsd.trim() !== '') {
    const usd = Number(fields.budgetUsd);
    if (!Number.isFinite(usd) || usd <= 0) problems.push('A budget is an amount above 0.');
    else key.budget = { usd, period: fields.budgetPeriod === 'day' ? 'day' : 'month' };
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, key };
}

/** `a, b,,c ` → `['a', 'b', 'c']`. */
export function commaList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
