import { Injectable, Logger } from '@nestjs/common';
import type { UsageGroupBy, UsageRow } from '@tokenstream/stream-contracts';
import { Database } from '../database/database';
import { useDatabase } from '../database/database-access';
import { databaseUnavailable } from '../database/database-unavailable';
import { UsageRepository } from './usage-repository';

/** Usage and cost totals for a period, for admins' reports and for each caller's own. */
@Injectable()
export class UsageReports {
  private readonly logger = new Logger(UsageReports.name);

  constructor(private readonly database: Database) {}

  /** Totals by `groupBy` from `from` to `to`; only `principal`'s rows when it is given. */
  totals(groupBy: UsageGroupBy, from: Date, to: Date, principal?: string): Promise<UsageRow[]> {
    return useDatabase(
      this.database,
      (db) => new UsageRepository(db).totals(groupBy, from, to, principal),
      () => databaseUnavailable('Usage'),
      this.logger,
    );
  }
}
