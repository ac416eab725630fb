import { DynamicModule, Global, Module } from '@nestjs/common';
import type { AppConfig } from './app-config';
import { CONFIG } from './config-slices';

/** Makes each slice of the configuration validated at boot injectable everywhere, by {@link CONFIG}. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    const providers = (Object.keys(CONFIG) as (keyof AppConfig)[]).map((slice) => ({
      provide: CONFIG[slice],
      useValue: config[slice],
    }));
    return { module: ConfigModule, providers, exports: Object.values(CONFIG) };
  }
}
