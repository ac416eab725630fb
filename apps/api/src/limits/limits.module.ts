import { Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { LimitStore } from './limit-store';
import { MemoryLimitStore } from './memory-limit-store';
import { StreamLimiter } from './stream-limiter';

/** Per-principal limits on streams: the counters ({@link LimitStore}) and who may start one. */
@Module({
  providers: [
    { provide: LimitStore, useFactory: () => new MemoryLimitStore() },
    {
      provide: StreamLimiter,
      useFactory: (config: AppConfig, store: LimitStore) => new StreamLimiter(config.limits, store),
      inject: [APP_CONFIG, LimitStore],
    },
  ],
  exports: [StreamLimiter, LimitStore],
})
export class LimitsModule {}
