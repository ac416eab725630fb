import { Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { LimitsModule } from '../limits/limits.module';
import { ModelsModule } from '../models/models.module';
import { GenerationRegistry } from './generation-registry';
import { MemoryStreamStore } from './memory-stream-store';
import { RedisStreamStore } from './redis-stream-store';
import { LeaseHeartbeat as StreamHeartbeat } from './lease-heartbeat';
import { REDIS_CLIENT } from '../redis/redis.module';
import type { RedisClient } from '../redis/redis-client';
import { ReaderLimits } from './reader-limits';
import { ApiMetrics } from '../metrics/api-metrics';
import { StreamStore } from './stream-store';
import { StreamsController } from './streams.controller';
import { StreamsService } from './streams.service';

@Module({
  imports: [ModelsModule, LimitsModule],
  controllers: [StreamsController],
  providers: [
    StreamsService,
    {
      // With REDIS_URL every instance reads and writes the same streams; without, this process
      // keeps its own.
      provide: StreamStore,
      useFactory: (config: AppConfig, redis: RedisClient | null) =>
        redis
          ? new RedisStreamStore(redis, config.streams, {
              commandTimeoutMs: config.redisCommandTimeoutMs,
              leaseMs: config.streams.leaseMs,
            })
          : new MemoryStreamStore(config.streams),
      inject: [APP_CONFIG, REDIS_CLIENT],
    },
    {
      provide: StreamHeartbeat,
      useFactory: (store: StreamStore, registry: GenerationRegistry) =>
        new StreamHeartbeat(store, registry),
      inject: [StreamStore, GenerationRegistry],
    },
    {
      provide: ReaderLimits,
      useFactory: (config: AppConfig, metrics: ApiMetrics) =>
        new ReaderLimits(config.streams.maxReaders, metrics),
      inject: [APP_CONFIG, ApiMetrics],
    },
    {
      provide: GenerationRegistry,
      useFactory: (config: AppConfig) => new GenerationRegistry(config.streams.resumeGraceMs),
      inject: [APP_CONFIG],
    },
  ],
  exports: [StreamsService, GenerationRegistry, StreamStore],
})
export class StreamsModule {}
