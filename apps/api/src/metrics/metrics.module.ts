import { Global, Module } from '@nestjs/common';
import { ApiMetrics } from './api-metrics';
import { MetricsServer } from './metrics-server';

/** The api's Prometheus metrics, for any module to count into, and their own listener. */
@Global()
@Module({
  providers: [{ provide: ApiMetrics, useFactory: () => new ApiMetrics() }, MetricsServer],
  exports: [ApiMetrics],
})
export class MetricsModule {}
