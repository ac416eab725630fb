import type { AuditAction, AuditEvent } from '@tokenstream/stream-contracts';
import type { AppDatabase } from '../database/open-database';

/** An event to append to the trail. */
export interface NewAuditEvent {
  at: Date;
  actor: string;
  action: AuditAction;
  target: string;
  detail?: Record<string, unknown>;
}

/** The most events one read answers with. */
export const MAX_AUDIT_EVENTS = 1_000;

/** The audit trail's table: appended to and read, never changed (the database refuses to). */
export class AuditRepository {
  constructor(private readonly db: AppDatabase) {}

  async append(events: readonly NewAuditEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.db
      .insertInto('audit_events')
      .values(
        events.map((event) => ({
          at: event.at,
          actor: event.actor,
          action: event.action,
          target: event.target,
          detail: JSON.stringify(event.detail ?? {}),
        })),
      )
      .execute();
  }

  /** The events from `from` (inclusive) to `to` (exclusive), newest first, at most `limit`. */
  async list(from: Date, to: Date, limit = MAX_AUDIT_EVENTS): Promise<AuditEvent[]> {
    const rows = await this.db
      .selectFrom('audit_events')
      .select(['at', 'actor', 'action', 'target', 'detail'])
      .where('at', '>=', from)
      .where('at', '<', to)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      at: row.at.toISOString(),
      actor: row.actor,
      action: row.action as AuditAction,
      target: row.target,
      detail: row.detail,
    }));
  }
}
