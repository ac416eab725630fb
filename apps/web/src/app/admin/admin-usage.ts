import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import type { UsageGroupBy, UsageRow } from '@tokenstream/stream-contracts';
import { AdminApi } from './admin-api';
import { describeAdminError } from './admin-api-error';
import { CostChart, type DayCost } from './cost-chart';
import {
  dateRangeFrom,
  daysOf,
  periodQueryOf,
  thisUtcMonth,
  type DateRange,
} from './report-period';
import { usd } from './usd';

/**
 * How each way of totalling (the contract's `USAGE_GROUP_BY`) is named on the page. Typed by the
 * contract, not read from it: its module holds zod schemas, which would come along into the bundle.
 */
export const GROUP_BY_LABELS: Record<UsageGroupBy, string> = {
  user: 'User',
  key: 'Key',
  model: 'Model',
  group: 'Group',
  day: 'Day (UTC)',
};

/** The longest period whose every day the chart draws (longer ones show the days with usage). */
const MAX_CHART_DAYS = 366;

/** Usage and cost of a period, totalled by user, key, model, group or day, and a chart per day. */
@Component({
  selector: 'app-admin-usage',
  imports: [CostChart],
  templateUrl: './admin-usage.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AdminUsage {
  private readonly api = inject(AdminApi);

  protected readonly groupByChoices = Object.entries(GROUP_BY_LABELS).map(([value, label]) => ({
    value,
    label,
  }));
  protected readonly usd = usd;
  protected readonly range = signal<DateRange>(thisUtcMonth());
  protected readonly groupBy = signal<UsageGroupBy>('user');
  protected readonly rows = signal<UsageRow[] | undefined>(undefined);
  protected readonly perDay = signal<DayCost[] | undefined>(undefined);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | undefined>(undefined);
  /** The way the rows shown are totalled (the select may have changed since). */
  protected readonly shownGroupBy = signal<UsageGroupBy>('user');
  /** Key id → `name (prefix…)`, for the rows by key; empty until those are asked for. */
  private readonly keyNames = signal<ReadonlyMap<string, string>>(new Map());

  protected readonly totals = computed(() =>
    (this.rows() ?? []).reduce(
      (sum, row) => ({
        requests: sum.requests + row.requests,
        promptTokens: sum.promptTokens + row.promptTokens,
        completionTokens: sum.completionTokens + row.completionTokens,
        costUsd: sum.costUsd + row.costUsd,
      }),
      { requests: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 },
    ),
  );

  constructor() {
    void this.load();
  }

  protected count(value: number): string {
    return value.toLocaleString('en-US');
  }

  protected labelOf(row: UsageRow): string {
    const value = row[this.shownGroupBy()];
    if (value === undefined) return '—';
    // A key is named by its id: shown by its name and prefix, when it is a key made here.
    return this.keyNames().get(value) ?? value;
  }

  protected columnLabel(): string {
    return GROUP_BY_LABELS[this.shownGroupBy()];
  }

  protected submit(event: SubmitEvent): void {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const range = dateRangeFrom(String(data.get('from') ?? ''), String(data.get('through') ?? ''));
    if (!range.ok) {
      this.error.set(range.problem);
      return;
    }
    this.range.set(range.range);
    this.groupBy.set(toGroupBy(String(data.get('groupBy'))));
    void this.load();
  }

  protected async load(): Promise<void> {
    const range = this.range();
    const groupBy = this.groupBy();
    const period = periodQueryOf(range);
    this.loading.set(true);
    try {
      const [report, daily, keys] = await Promise.all([
        this.api.usage(period, groupBy),
        groupBy === 'day' ? undefined : this.api.usage(period, 'day'),
        // Without the list the rows still show the ids.
        groupBy === 'key' ? this.api.listKeys().catch(() => undefined) : undefined,
      ]);
      if (keys) {
        this.keyNames.set(new Map(keys.keys.map((k) => [k.id, `${k.name} (${k.prefix}…)`])));
      }
      const rows = sortRows(report.rows, groupBy);
      this.rows.set(rows);
      this.shownGroupBy.set(groupBy);
      this.perDay.set(costPerDay(range, (daily ?? report).rows));
      this.error.set(undefined);
    } catch (error) {
      this.error.set(describeAdminError(error));
    } finally {
      this.loading.set(false);
    }
  }
}

function toGroupBy(value: string): UsageGroupBy {
  return Object.hasOwn(GROUP_BY_LABELS, value) ? (value as UsageGroupBy) : 'user';
}

/** Days in order; anything else by cost, the most first. */
function sortRows(rows: readonly UsageRow[], groupBy: UsageGroupBy): UsageRow[] {
  return groupBy === 'day'
    ? [...rows].sort((a, b) => (a.day ?? '').localeCompare(b.day ?? ''))
    : [...rows].sort((a, b) => b.costUsd - a.costUsd);
}

/** Every day of `range` with its cost from the `day` rows, 0 where it has none. */
export function costPerDay(range: DateRange, dayRows: readonly UsageRow[]): DayCost[] {
  const cost = new Map<string, number>();
  for (const row of dayRows) if (row.day) cost.set(row.day, (cost.get(row.day) ?? 0) + row.costUsd);
  const days = daysOf(range);
  if (days.length === 0 || days.length > MAX_CHART_DAYS) {
    return [...cost]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([day, costUsd]) => ({ day, costUsd }));
  }
  return days.map((day) => ({ day, costUsd: cost.get(day) ?? 0 }));
}
