import { z } from 'zod';

/** One limit of a key: a whole number, `0` for none. */
const limitValue = z
  .int({ error: 'expected a whole number' })
  .min(0, { error: 'expected 0 or more' });

/**
 * A caller's own limits, each overriding the api's `LIMIT_*` default, `0` for none: the one shape
 * the keys file, the models file and a key made at runtime use.
 */
export const ownLimitsSchema = z.strictObject({
  /** Streams the caller may have generating at once. */
  concurrentStreams: limitValue.optional(),
  /** New streams the caller may start in any rolling minute. */
  requestsPerMinute: limitValue.optional(),
  /** Tokens (prompt and completion) the caller may use per UTC day. */
  tokensPerDay: limitValue.optional(),
});

/** A budget in US dollars, per UTC day or UTC month. */
export const budgetSchema = z.strictObject({
  usd: z.number().positive({ error: 'expected an amount above 0' }).max(1e9),
  period: z.enum(['day', 'month']),
});

export type Budget = z.infer<typeof budgetSchema>;

/** A key's name: it names the caller (`apikey:<name>`) in logs, limits, streams and usage. */
export const apiKeyNameSchema = z
  .string()
  .regex(/^[\w.-]{1,64}$/, { error: 'expected 1 to 64 letters, digits, ".", "_" or "-"' });

/** Groups a key's caller is in: what `ADMIN_GROUPS` and a budget per group match. */
const groupsSchema = z.array(z.string().min(1).max(128)).max(64);

/** The body of `POST /api/admin/keys`. */
export const newApiKeySchema = z.strictObject({
  name: apiKeyNameSchema,
  groups: groupsSchema.optional(),
  /** The models the key may use; absent: every model the api offers. */
  models: z.array(z.string().min(1).max(200)).max(200).optional(),
  /** When the key stops working; absent: never. */
  expiresAt: z.iso.datetime({ offset: true, error: 'expected an ISO date-time' }).optional(),
  limits: ownLimitsSchema.optional(),
  budget: budgetSchema.optional(),
});

export type NewApiKey = z.infer<typeof newApiKeySchema>;

/** The answer to `POST /api/admin/keys` (`201`): the only time `key` is shown. */
export interface CreatedApiKey {
  id: string;
  name: string;
  /** The secret (`sk-ts-…`): stored only as a hash, never shown again. */
  key: string;
  /** The key's first characters, to tell keys apart in lists and logs. */
  prefix: string;
  groups: string[];
  models: string[] | null;
  expiresAt: string | null;
  budget: Budget | null;
  createdAt: string;
}

/** A key made at runtime, as `GET /api/admin/keys` lists it: never its secret. */
export interface ApiKeySummary {
  id: string;
  name: string;
  prefix: string;
  groups: string[];
  models: string[] | null;
  limits: z.infer<typeof ownLimitsSchema> | null;
  budget: Budget | null;
  expiresAt: string | null;
  createdAt: string;
  /** Who made it (the admin's principal id). */
  createdBy: string;
  /** The last time it was used, to the minute or so; `null`: never. */
  lastUsedAt: string | null;
  /** When it was revoked; `null`: it is not. */
  revokedAt: string | null;
}

/** The body of `GET /api/admin/keys`. */
export interface ApiKeyList {
  keys: ApiKeySummary[];
}

/** What the audit trail records, by name. */
export const AuditActions = {
  keyCreated: 'key.created',
  keyRevoked: 'key.revoked',
  budgetSet: 'budget.set',
  budgetRemoved: 'budget.removed',
  /** A revoked or expired key was presented (at most one event per key a minute per instance). */
  revokedKeyUsed: 'auth.revoked_key_used',
  /** Authentication failures from one address, summarised (one event a minute per address). */
  authFailures: 'auth.failures',
} as const;

export type AuditAction = (typeof AuditActions)[keyof typeof AuditActions];

/** One row of the audit trail, which no route can change or delete. */
export interface AuditEvent {
  at: string;
  /** Who did it: a principal id, or `anonymous` for an unauthenticated caller. */
  actor: string;
  action: AuditAction;
  /** What it was done to: a key id, a budget, an address. */
  target: string;
  detail: Record<string, unknown>;
}

/** The body of `GET /api/admin/audit`. */
export interface AuditTrail {
  events: AuditEvent[];
}

/** A date (`2026-12-01`, midnight UTC) or a date-time with its offset. */
const instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()], {
  error: 'expected an ISO date or date-time',
});

/** `?from=&to=` of the admin reports: from (inclusive) to (exclusive); unset, the current UTC month. */
export const periodQuerySchema = z.strictObject({
  from: instant.optional(),
  to: instant.optional(),
});

export type PeriodQuery = z.infer<typeof periodQuerySchema>;

/** What `GET /api/admin/usage` totals by: each row names one of these. `day` (UTC) feeds a chart. */
export const USAGE_GROUP_BY = ['user', 'key', 'model', 'group', 'day'] as const;

export type UsageGroupBy = (typeof USAGE_GROUP_BY)[number];

/** `?from=&to=&groupBy=` of `GET /api/admin/usage` (`user` unless told). */
export const usageQuerySchema = periodQuerySchema.extend({
  groupBy: z.enum(USAGE_GROUP_BY).default('user'),
});

export type UsageQuery = z.infer<typeof usageQuerySchema>;

/** Totals of the usage rows that share one value of `groupBy`. */
export type UsageRow = Partial<Record<UsageGroupBy, string>> & {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
};

/**
 * The body of `GET /api/admin/usage` (each row names its `user`, `key` id, `model`, `group` or
 * `day`) and of `GET /api/me/usage` (the caller's own, by `model`). `Accept: text/csv` on the
 * admin route gives the same rows as CSV, its header naming the same fields.
 */
export interface UsageReport {
  rows: UsageRow[];
}

/** Who a budget set by an admin belongs to; a key's budget is set with the key. */
export const BUDGET_OWNER_KINDS = ['user', 'group'] as const;

export type BudgetOwnerKind = (typeof BUDGET_OWNER_KINDS)[number];

/** A budget and what has been spent against it in its current period. */
export interface BudgetStatus extends Budget {
  /** `user` (a principal id), `group` (a group name) or `key` (a made key's id). */
  kind: BudgetOwnerKind | 'key';
  id: string;
  /** Spent in the current UTC day or month, in US dollars. */
  spentUsd: number;
}

/** The body of `GET /api/admin/budgets`: every budget, the keys' included. */
export interface BudgetList {
  budgets: BudgetStatus[];
}
