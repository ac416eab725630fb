import type { AppConfig } from './app-config';

/**
 * One injection token per slice of the configuration, so each class is given the part it uses
 * (`@Inject(CONFIG.streams) streams: AppConfig['streams']`), as Nest's `registerAs` namespaces do.
 */
export const CONFIG = {
  server: Symbol('config.server'),
  metrics: Symbol('config.metrics'),
  redis: Symbol('config.redis'),
  database: Symbol('config.database'),
  models: Symbol('config.models'),
  streams: Symbol('config.streams'),
  upstream: Symbol('config.upstream'),
  auth: Symbol('config.auth'),
  limits: Symbol('config.limits'),
} as const satisfies Record<keyof AppConfig, symbol>;
