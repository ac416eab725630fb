import {
  Global,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { RedisClient } from './redis-client';

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
@Module({})
export class RedisModule {
  /** `client` is connected before the app is made (main.ts), so a Redis out of reach stops the boot. */
  static forRoot(client: RedisClient | null): DynamicModule {
    return {
      module: RedisModule,
      providers: [{ provide: REDIS_CLIENT, useValue: client }, RedisShutdown],
      exports: [REDIS_CLIENT],
    };
  }
}
