import { Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { ApiMetrics } from '../metrics/api-metrics';
import { LimitStore } from './limit-store';
import { MemoryLimitStore } from './memory-limit-store';
import { StreamLimiter } from './stream-limiter';

/** Per-principal limits on streams: the counters ({@link LimitStore}) and who may start one. */
@Module({
  providers: [
    { provide: LimitStore, useFactory: () => new MemoryLimitStore() },
    {
      provide: StreamLimiter,
      useFactory: (config: AppConfig, store: LimitStore, metrics: ApiMetrics) =>
        new StreamLimiter(config.limits, store, { metrics }),
      inject: [APP_CONFIG, LimitStore, ApiMetrics],
    },
  ],
  exports: [StreamLimiter, LimitStore],
})
export class LimitsModule {}
