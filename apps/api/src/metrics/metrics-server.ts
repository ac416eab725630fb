import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '../config/app-config';
import { CONFIG } from '../config/config-slices';
import { ApiMetrics } from './api-metrics';

/** The path Prometheus scrapes by default. */
export const METRICS_PATH = '/metrics';

/**
 * Serves `GET /metrics` on `METRICS_PORT`, a listener of its own: Prometheus scrapes it inside the
 * cluster, and it stays off the public port (and the SSO proxy in front of it) by construction.
 * It binds `METRICS_HOST`, loopback unless told, never the api's `HOST`: metrics name the models
 * and the load, and an api on `0.0.0.0` must not publish them by accident. Without
 * `METRICS_PORT` nothing listens. It closes last, so a scrape still sees a drain.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsServer.name);
  private server: Server | undefined;

  constructor(
    @Inject(CONFIG.metrics) private readonly config: AppConfig['metrics'],
    private readonly metrics: ApiMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { port: metricsPort, host } = this.config;
    if (metricsPort === undefined) return;
    const server = createServer((request, response) => {
      if (request.method !== 'GET' || request.url?.split('?')[0] !== METRICS_PATH) {
        response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found\n');
        return;
      }
      this.metrics.registry.metrics().then(
        (text) =>
          response.writeHead(200, { 'Content-Type': this.metrics.registry.contentType }).end(text),
        (error: unknown) => {
          this.logger.error({ err: error }, 'metrics could not be collected');
          response.writeHead(500, { 'Content-Type': 'text/plain' }).end('Metrics failed\n');
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(metricsPort, host, () => resolve());
    });
    this.server = server;
    // The address actually bound, so the line shows what is reachable, not what was asked.
    const { address, port, family } = server.address() as AddressInfo;
    const shown =
      address === '0.0.0.0' || address === '::'
        ? 'localhost'
        : family === 'IPv6'
          ? `[${address}]`
          : address;
    this.logger.log(
      { metricsUrl: `http://${shown}:${port}${METRICS_PATH}`, metricsAddress: address },
      'metrics listening',
    );
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
