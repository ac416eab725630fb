import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { sql } from 'kysely';
import type { AppConfig } from '../config/app-config';
import { CONFIG } from '../config/config-slices';
import { openDatabase, type AppDatabase } from './open-database';

/**
 * The api's database, opened once: a PostgreSQL server (`DATABASE_URL`) or the embedded one. It is
 * opened and migrated at boot (main.ts), before the api listens, so a database out of reach stops
 * the api with one line, and the embedded one's start (seconds of CPU) never stalls running
 * replies: every reply records its usage here.
 */
@Injectable()
export class Database implements OnApplicationShutdown {
  private readonly logger = new Logger(Database.name);
  private opening: Promise<AppDatabase> | undefined;
  /** The one `select 1` in flight, which every {@link answers} call waits on. */
  private probing: Promise<boolean> | undefined;

  constructor(@Inject(CONFIG.database) private readonly config: AppConfig['database']) {}

  /** True when conversations are kept in a server that every instance shares. */
  get isShared(): boolean {
    return 'url' in this.config.location;
  }

  /** True once it has been asked to open (at boot in the api; a test's app may never). */
  get isOpen(): boolean {
    return this.opening !== undefined;
  }

  /** The migrated database; rejects when it cannot be opened (the next call tries again). */
  open(): Promise<AppDatabase> {
    if (!this.opening) {
      const started = performance.now();
      const opening = openDatabase(this.config.location);
      this.opening = opening;
      opening.then(
        () =>
          this.logger.log(
            { embedded: !this.isShared, ms: Math.round(performance.now() - started) },
            'database open and migrated',
          ),
        (error: unknown) => {
          if (this.opening === opening) this.opening = undefined;
          this.logger.error({ err: error }, 'the database cannot be opened');
        },
      );
    }
    return this.opening;
  }

  /**
   * Whether the database answers `select 1` within `timeoutMs` (opening it if it is not open).
   * One query at a time: probes that come while one waits on a stalled server wait on the same
   * query, each for its own time, so an outage never piles up queries or connections.
   */
  async answers(timeoutMs: number): Promise<boolean> {
    this.probing ??= this.open()
      .then((db) => sql`select 1`.execute(db))
      .then(
        () => true,
        () => false,
      )
      .finally(() => (this.probing = undefined));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((done) => (timer = setTimeout(done, timeoutMs, false)));
    try {
      return await Promise.race([this.probing, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Last, once the generations have drained and kept their replies. */
  async onApplicationShutdown(): Promise<void> {
    const db = await this.opening?.catch(() => undefined);
    await db?.destroy().catch(() => undefined);
  }
}
