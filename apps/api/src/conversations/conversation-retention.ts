import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { CONFIG } from '../config/config-slices';
import { repeatEvery } from '../shared/repeat-every';
import { ConversationDatabase } from './conversation-database';

/** How often old conversations are looked for. */
export const RETENTION_SWEEP_INTERVAL_MS = 3_600_000;

const DAY_MS = 86_400_000;

/**
 * Deletes conversations not updated for `CONVERSATION_RETENTION_DAYS` days: at boot, then every
 * hour. Every instance sweeps; a delete is idempotent, so several at once cost only the query.
 */
@Injectable()
export class ConversationRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ConversationRetention.name);
  private stopSweeps: (() => void) | undefined;

  constructor(
    @Inject(CONFIG.database) private readonly config: AppConfig['database'],
    private readonly conversations: ConversationDatabase,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.retentionDays === 0) return;
    void this.sweep();
    this.stopSweeps = repeatEvery(RETENTION_SWEEP_INTERVAL_MS, () => void this.sweep());
  }

  onApplicationShutdown(): void {
    this.stopSweeps?.();
  }

  /** Deletes what is past retention now; resolves to how many conversations (never rejects). */
  async sweep(now = Date.now()): Promise<number> {
    const cutoff = new Date(now - this.config.retentionDays * DAY_MS);
    try {
      const deleted = await this.conversations.use((repository) =>
        repository.deleteUpdatedBefore(cutoff),
      );
      if (deleted > 0) {
        this.logger.log({ deleted, cutoff: cutoff.toISOString() }, 'old conversations deleted');
      }
      return deleted;
    } catch (error) {
      this.logger.warn({ err: error }, 'the retention sweep failed; it runs again within the hour');
      return 0;
    }
  }
}
