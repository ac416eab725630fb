import { Global, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { CONFIG } from '../config/config-slices';
import { ApiMetrics } from './api-metrics';
import { MetricsServer } from './metrics-server';

/** The api's Prometheus metrics, for any module to count into, and their own listener. */
@Global()
@Module({
  providers: [
    {
      provide: ApiMetrics,
      // The process figures watch GC and the event loop: not worth it when nobody scrapes them.
      useFactory: (metrics: AppConfig['metrics']) =>
        new ApiMetrics({ defaultMetrics: metrics.port !== undefined }),
      inject: [CONFIG.metrics],
    },
    MetricsServer,
  ],
  exports: [ApiMetrics],
})
export class MetricsModule {}
