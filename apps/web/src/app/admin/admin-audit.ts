import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import type { AuditEvent } from '@tokenstream/stream-contracts';
import { AdminApi } from './admin-api';
import { describeAdminError } from './admin-api-error';
import { utcTime } from './utc-time';
import { dateRangeFrom, periodQueryOf, thisUtcMonth, type DateRange } from './report-period';

/** The audit trail of a period, newest first: admin actions and security events. */
@Component({
  selector: 'app-admin-audit',
  templateUrl: './admin-audit.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AdminAudit {
  private readonly api = inject(AdminApi);

  protected readonly utcTime = utcTime;
  protected readonly range = signal<DateRange>(thisUtcMonth());
  protected readonly events = signal<AuditEvent[] | undefined>(undefined);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | undefined>(undefined);

  constructor() {
    void this.load();
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
    void this.load();
  }

  /** Loads the trail again (after a key is made or revoked, say). */
  async load(): Promise<void> {
    this.loading.set(true);
    try {
      this.events.set((await this.api.audit(periodQueryOf(this.range()))).events);
      this.error.set(undefined);
    } catch (error) {
      this.error.set(describeAdminError(error));
    } finally {
      this.loading.set(false);
    }
  }

  /** An event's detail as `name: value` pairs, values as JSON where they are not text. */
  protected detailOf(event: AuditEvent): string {
    return Object.entries(event.detail)
      .filter(([, value]) => value !== null && value !== undefined)
      .map(
        ([name, value]) => `${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`,
      )
      .join(', ');
  }
}
