import { Injectable, Logger } from '@nestjs/common';
import type { AuditEvent } from '@tokenstream/stream-contracts';
import { Database } from '../database/database';
import { useDatabase } from '../database/database-access';
import { databaseUnavailable } from '../database/database-unavailable';
import { AuditRepository, type NewAuditEvent } from './audit-repository';

/** How long a summarised security event stays quiet for the same subject, per instance. */
const SUMMARY_WINDOW_MS = 60_000;

/** The most subjects remembered for summaries; past it the oldest are forgotten. */
const MAX_SUMMARY_SUBJECTS = 10_000;

/**
 * The audit trail. Admin actions are recorded before the action answers (a failure to record is
 * the action's failure); security events are noted in the background, summarised so a flood of
 * them is at most a row a minute per subject, not a row per request.
 */
@Injectable()
export class AuditTrail {
  private readonly logger = new Logger(AuditTrail.name);
  /** Per summarised subject: its minute's end, its events in it, and whether one was written. */
  private readonly quiet = new Map<string, { until: number; count: number; written: boolean }>();

  constructor(private readonly database: Database) {}

  /** Appends `event`; rejects with a `503` when the database is out of reach. */
  record(event: NewAuditEvent): Promise<void> {
    return this.use((repository) => repository.append([event]));
  }

  /**
   * Notes a security event about `subject` in the background, summarised: in each minute, one row
   * once `after` such events have come (`detail.count`: how many by then); the rest only counted.
   */
  noteSummarised(subject: string, event: NewAuditEvent, after = 1): void {
    const now = event.at.getTime();
    let window = this.quiet.get(subject);
    if (!window || window.until <= now) {
      if (this.quiet.size >= MAX_SUMMARY_SUBJECTS) {
        this.quiet.delete(this.quiet.keys().next().value as string);
      }
      this.quiet.delete(subject);
      window = { until: now + SUMMARY_WINDOW_MS, count: 0, written: false };
      this.quiet.set(subject, window);
    }
    window.count += 1;
    if (window.written || window.count < after) return;
    window.written = true;
    const detail = { ...event.detail, count: window.count };
    this.record({ ...event, detail }).catch((error: unknown) =>
      this.logger.error({ err: error, action: event.action }, 'an audit event was not recorded'),
    );
  }

  /** The events from `from` to `to`, newest first. */
  list(from: Date, to: Date): Promise<AuditEvent[]> {
    return this.use((repository) => repository.list(from, to));
  }

  private use<T>(use: (repository: AuditRepository) => Promise<T>): Promise<T> {
    return useDatabase(
      this.database,
      (db) => use(new AuditRepository(db)),
      () => databaseUnavailable('The audit trail'),
      this.logger,
    );
  }
}
