import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AdminModule } from './admin/admin.module';
import { AuthModule } from './auth/auth.module';
import { ChatModule } from './chat/chat.module';
import { ApiExceptionFilter } from './app/api-exception.filter';
import { isApiPath } from './app/serve-web-app';
import { loggerOptions } from './common/logger-options';
import { RequestLoggingModule } from './common/request-logging.module';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import type { RedisClient } from './redis/redis-client';
import { RedisModule } from './redis/redis.module';
import { ModelsModule } from './models/models.module';
import { OpenAiCompatModule } from './openai-compat/openai-compat.module';
import { NO_TRACING, type Tracing } from './tracing/tracing';
import { TracingModule } from './tracing/tracing.module';

@Module({})
export class AppModule {
  /** The whole api for a configuration that was validated before anything started. */
  static forRoot(
    config: AppConfig,
    redis: RedisClient | null = null,
    tracing: Tracing = NO_TRACING,
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        TracingModule.forRoot(tracing),
        RequestLoggingModule.forRoot(loggerOptions(config.server, isApiPath, tracing.enabled)),
        MetricsModule,
        RedisModule.forRoot(redis),
        DatabaseModule,
        ModelsModule,
        AuthModule,
        ChatModule,
        OpenAiCompatModule,
        HealthModule,
        AdminModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ApiExceptionFilter }],
    };
  }
}
