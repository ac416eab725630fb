import { Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
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
      useFactory: (config: AppConfig, redis: RedisClient | null) =>
        redis
          ? new RedisLimitStore(redis, { commandTimeoutMs: config.redisCommandTimeoutMs })
          : new MemoryLimitStore(),
      inject: [APP_CONFIG, REDIS_CLIENT],
    },
    {
      provide: StreamLimiter,
      useFactory: (config: AppConfig, store: LimitStore, metrics: ApiMetrics) =>
        new StreamLimiter(config.limits, store, {
          metrics,
          // No generation outlives its total timeout: a slot a dead process kept goes soon after.
          slotLeaseMs: config.upstream.totalTimeoutMs + SLOT_LEASE_MARGIN_MS,
          modelLimits: config.modelLimits,
        }),
      inject: [APP_CONFIG, LimitStore, ApiMetrics],
    },
  ],
  exports: [StreamLimiter, LimitStore],
})
export class LimitsModule {}
