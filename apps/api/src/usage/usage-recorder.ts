import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { CONFIG } from '../config/config-slices';
import { Database } from '../database/database';
import { replyCost } from './reply-usage';
import { UsageLog, type EndedReply } from './usage-log';
import { UsageRepository, type UsageRecord } from './usage-repository';

/** How often the rows recorded since are written: budgets see spend within a second. */
export const USAGE_FLUSH_MS = 250;

/** The most rows held while the database is away; past it the oldest are dropped, and counted. */
const MAX_PENDING_ROWS = 50_000;

/** How often rows past their retention are deleted (and once at boot). */
const RETENTION_SWEEP_MS = 60 * 60_000;

/** When the first sweep runs after boot: once the api has settled. */
const RETENTION_FIRST_SWEEP_MS = 10_000;

const DAY_MS = 24 * 60 * 60_000;

/**
 * Records a usage row per reply and embeddings call, off the hot path: {@link record} only queues
 * the row; a timer writes what is queued in one insert every {@link USAGE_FLUSH_MS}. While the
 * database is away the rows wait (up to {@link MAX_PENDING_ROWS}) and go with the next write. Rows
 * older than `USAGE_RETENTION_DAYS` are deleted hourly.
 */
@Injectable()
export class UsageRecorder extends UsageLog implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(UsageRecorder.name);
  private pending: UsageRecord[] = [];
  private dropped = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private firstSweep: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  /** Callbacks told of each batch once it is written (budgets forget the spend they held). */
  private readonly listeners = new Set<(records: readonly UsageRecord[]) => void>();

  constructor(
    @Inject(CONFIG.database) private readonly config: AppConfig['database'],
    @Inject(CONFIG.models) private readonly models: AppConfig['models'],
    private readonly database: Database,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    const sweep = () => void this.sweep();
    this.sweepTimer = setInterval(sweep, RETENTION_SWEEP_MS).unref();
    this.firstSweep = setTimeout(sweep, RETENTION_FIRST_SWEEP_MS).unref();
  }

  /**
   * Queues the row of a reply or an embeddings call that just ended: its tokens (the upstream's, or
   * estimated from characters), their cost at the price of the model that answered, and how it went.
   */
  recordReply(reply: EndedReply): void {
    const cost = replyCost(reply, this.models.modelPrices[reply.model]);
    this.record({
      at: new Date(),
      principal: reply.principal.id,
      keyId: reply.principal.keyId ?? null,
      groups: reply.principal.groups,
      api: reply.api,
      model: reply.model,
      deployment: reply.deployment,
      ...cost,
      ttftMs: reply.ttftMs,
      durationMs: reply.durationMs,
      outcome: reply.outcome,
    });
  }

  /** Queues a row; it is written within {@link USAGE_FLUSH_MS}. */
  record(record: UsageRecord): void {
    if (this.pending.length >= MAX_PENDING_ROWS) {
      this.pending.shift();
      this.dropped += 1;
    }
    this.pending.push(record);
    this.flushTimer ??= setTimeout(() => void this.flush(), USAGE_FLUSH_MS);
  }

  /** Calls `listener` with every batch once it is written. */
  onWritten(listener: (records: readonly UsageRecord[]) => void): void {
    this.listeners.add(listener);
  }

  /** Writes what is queued; resolves once it is written (or failed and was kept for the next). */
  async flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    await this.writing;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.writing = this.write(batch).finally(() => (this.writing = undefined));
    await this.writing;
  }

  private async write(batch: UsageRecord[]): Promise<void> {
    try {
      const db = await this.database.open();
      await new UsageRepository(db).append(batch);
    } catch (error) {
      // Kept for the next write, ahead of the rows queued since.
      this.pending = [...batch, ...this.pending].slice(-MAX_PENDING_ROWS);
      this.logger.warn({ err: error, rows: batch.length }, 'usage rows not written yet');
      this.flushTimer ??= setTimeout(() => void this.flush(), 5_000).unref();
      return;
    }
    if (this.dropped > 0) {
      this.logger.error({ rows: this.dropped }, 'usage rows dropped while the database was away');
      this.dropped = 0;
    }
    for (const listener of this.listeners) listener(batch);
  }

  private async sweep(): Promise<void> {
    // The api opens its database at boot; an app that never did (a test's) has nothing to sweep.
    if (!this.database.isOpen) return;
    const before = new Date(Date.now() - this.config.usageRetentionDays * DAY_MS);
    try {
      const deleted = await new UsageRepository(await this.database.open()).deleteBefore(before);
      if (deleted > 0)
        this.logger.log({ deleted, before }, 'usage rows past their retention deleted');
    } catch (error) {
      this.logger.warn({ err: error }, 'usage retention sweep failed');
    }
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.sweepTimer);
    clearTimeout(this.firstSweep);
    await this.flush();
  }
}
