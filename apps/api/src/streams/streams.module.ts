import { Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { CONFIG } from '../config/config-slices';
import { BudgetsModule } from '../budgets/budgets.module';
import { LimitsModule } from '../limits/limits.module';
import { UsageModule } from '../usage/usage.module';
import { ModelsModule } from '../models/models.module';
import { GenerationRegistry } from './generation-registry';
import { MemoryStreamStore } from './memory-stream-store';
import { RedisStreamStore } from './redis-stream-store';
import { LeaseHeartbeat } from './lease-heartbeat';
import { REDIS_CLIENT } from '../redis/redis.module';
import type { RedisClient } from '../redis/redis-client';
import { ReaderLimits } from './reader-limits';
import { ApiMetrics } from '../metrics/api-metrics';
import { StreamStore } from './stream-store';
import { StreamsController } from './streams.controller';
import { StreamReaders } from './stream-readers';
import { StreamStarter } from './stream-starter';

@Module({
  imports: [ModelsModule, LimitsModule, UsageModule, BudgetsModule],
  controllers: [StreamsController],
  providers: [
    StreamStarter,
    StreamReaders,
    {
      // With REDIS_URL every instance reads and writes the same streams; without, this process
      // keeps its own.
      provide: StreamStore,
      useFactory: (
        streams: AppConfig['streams'],
        redisConfig: AppConfig['redis'],
        redis: RedisClient | null,
      ) =>
        redis
          ? new RedisStreamStore(redis, streams, {
              commandTimeoutMs: redisConfig.commandTimeoutMs,
              leaseMs: streams.leaseMs,
            })
          : new MemoryStreamStore(streams),
      inject: [CONFIG.streams, CONFIG.redis, REDIS_CLIENT],
    },
    {
      provide: LeaseHeartbeat,
      useFactory: (store: StreamStore, registry: GenerationRegistry) =>
        new LeaseHeartbeat(store, registry),
      inject: [StreamStore, GenerationRegistry],
    },
    {
      provide: ReaderLimits,
      useFactory: (streams: AppConfig['streams'], metrics: ApiMetrics) =>
        new ReaderLimits(streams.maxReaders, metrics),
      inject: [CONFIG.streams, ApiMetrics],
    },
    {
      provide: GenerationRegistry,
      useFactory: (streams: AppConfig['streams']) => new GenerationRegistry(streams.resumeGraceMs),
      inject: [CONFIG.streams],
    },
  ],
  exports: [StreamStarter, StreamReaders, GenerationRegistry, StreamStore],
})
export class StreamsModule {}
