import { inject, Injectable } from '@angular/core';
import {
  ApiPaths,
  type ApiErrorBody,
  type ApiKeyList,
  type AuditTrail,
  type Budget,
  type BudgetList,
  type BudgetOwnerKind,
  type BudgetStatus,
  type CreatedApiKey,
  type NewApiKey,
  type PeriodQuery,
  type UsageGroupBy,
  type UsageReport,
} from '@tokenstream/stream-contracts';
import { callApi } from '../api/api-json';
import { CHAT_AUTH_TOKEN } from '../api/auth-token';
import { AdminApiError } from './admin-api-error';

/**
 * The admin routes of the api (`/api/admin/…`): keys, usage, budgets and the audit trail. Every
 * method rejects with an {@link AdminApiError} when the api refuses (its `{ code, message }`), with
 * a `ChatClientError` of kind `unauthenticated` when the session is gone, and with a `TypeError`
 * when the api cannot be reached.
 */
@Injectable({ providedIn: 'root' })
export class AdminApi {
  private readonly token = inject(CHAT_AUTH_TOKEN);

  /** Every key made at runtime, without secrets. */
  listKeys(): Promise<ApiKeyList> {
    return this.call('GET', ApiPaths.adminKeys);
  }

  /** Makes a key: the answer holds its secret, which the api never shows again. */
  createKey(key: NewApiKey): Promise<CreatedApiKey> {
    return this.call('POST', ApiPaths.adminKeys, key);
  }

  async revokeKey(id: string): Promise<void> {
    await this.call('DELETE', ApiPaths.adminKey(id));
  }

  /** Usage and cost of a period, totalled by `groupBy`. */
  usage(period: PeriodQuery, groupBy: UsageGroupBy): Promise<UsageReport> {
    return this.call('GET', `${ApiPaths.adminUsage}?${periodParams(period, { groupBy })}`);
  }

  /** Every budget (the keys' included) with what was spent in its current period. */
  listBudgets(): Promise<BudgetList> {
    return this.call('GET', ApiPaths.adminBudgets);
  }

  /** Sets (or replaces) a user's or a group's budget. */
  setBudget(kind: BudgetOwnerKind, id: string, budget: Budget): Promise<BudgetStatus> {
    return this.call('PUT', ApiPaths.adminBudget(kind, id), budget);
  }

  async removeBudget(kind: BudgetOwnerKind, id: string): Promise<void> {
    await this.call('DELETE', ApiPaths.adminBudget(kind, id));
  }

  /** The audit trail of a period, newest first. */
  audit(period: PeriodQuery): Promise<AuditTrail> {
    return this.call('GET', `${ApiPaths.adminAudit}?${periodParams(period)}`);
  }

  private async call<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<T> {
    const answer = await callApi(method, path, this.token, { body });
    if (answer.ok) return answer.body as T;
    const error = answer.body as Partial<ApiErrorBody> | undefined;
    throw new AdminApiError(
      answer.status,
      error?.code,
      typeof error?.message === 'string' && error.message !== ''
        ? error.message
        : `The api answered ${answer.status}.`,
      Array.isArray(error?.problems) ? error.problems : [],
    );
  }
}

/** `from=&to=` (each only when set), then any other parameters. */
function periodParams(period: PeriodQuery, extra: Record<string, string> = {}): URLSearchParams {
  const params = new URLSearchParams();
  if (period.from) params.set('from', period.from);
  if (period.to) params.set('to', period.to);
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  return params;
}
