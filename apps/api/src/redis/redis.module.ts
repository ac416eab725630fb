import { Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { connectRedis, type RedisClient } from './redis-client';

/** The Redis client shared by this process's stores, or `null` without `REDIS_URL`. */
export const REDIS_CLIENT = Symbol('RedisClient');

/** Closes the connection last, once the streams have drained and their limits are counted. */
@Injectable()
class RedisShutdown implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly client: RedisClient | null) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.client?.isOpen) await this.client.quit().catch(() => undefined);
  }
}

/** The connection to `REDIS_URL`, when one is configured: what lets several instances share state. */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      useFactory: (config: AppConfig) => (config.redisUrl ? connectRedis(config.redisUrl) : null),
      inject: [APP_CONFIG],
    },
    RedisShutdown,
  ],
  exports: [REDIS_CLIENT],
})
export class RedisModule {}
