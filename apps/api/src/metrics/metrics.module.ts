import { Global, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { ApiMetrics } from './api-metrics';
import { MetricsServer } from './metrics-server';

/** The api's Prometheus metrics, for any module to count into, and their own listener. */
@Global()
@Module({
  providers: [
    {
      provide: ApiMetrics,
      // The process figures watch GC and the event loop: not worth it when nobody scrapes them.
      useFactory: (config: AppConfig) =>
        new ApiMetrics({ defaultMetrics: config.metricsPort !== undefined }),
      inject: [APP_CONFIG],
    },
    MetricsServer,
  ],
  exports: [ApiMetrics],
})
export class MetricsModule {}
