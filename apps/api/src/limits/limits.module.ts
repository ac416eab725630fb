import { Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { CONFIG } from '../config/config-slices';
import { ApiMetrics } from '../metrics/api-metrics';
import { LimitStore } from './limit-store';
import { MemoryLimitStore } from './memory-limit-store';
import { RedisLimitStore } from './redis-limit-store';
import type { RedisClient } from '../redis/redis-client';
import { REDIS_CLIENT } from '../redis/redis.module';
import { StreamLimiter } from './stream-limiter';

/** Beyond a generation's longest life: its retries' last wait, the drain, the clocks' drift. */
const SLOT_LEASE_MARGIN_MS = 60_000;

/** Per-principal limits on streams: the counters ({@link LimitStore}) and who may start one. */
@Module({
  providers: [
    {
      provide: LimitStore,
      // Shared through Redis when there is one, so every instance counts against the same limits.
      useFactory: (redisConfig: AppConfig['redis'], redis: RedisClient | null) =>
        redis
          ? new RedisLimitStore(redis, { commandTimeoutMs: redisConfig.commandTimeoutMs })
          : new MemoryLimitStore(),
      inject: [CONFIG.redis, REDIS_CLIENT],
    },
    {
      provide: StreamLimiter,
      useFactory: (
        limits: AppConfig['limits'],
        upstream: AppConfig['upstream'],
        models: AppConfig['models'],
        store: LimitStore,
        metrics: ApiMetrics,
      ) =>
        new StreamLimiter(limits, store, {
          metrics,
          // No generation outlives its total timeout: a slot a dead process kept goes soon after.
          slotLeaseMs: upstream.totalTimeoutMs + SLOT_LEASE_MARGIN_MS,
          modelLimits: models.modelLimits,
        }),
      inject: [CONFIG.limits, CONFIG.upstream, CONFIG.models, LimitStore, ApiMetrics],
    },
  ],
  exports: [StreamLimiter, LimitStore],
})
export class LimitsModule {}
