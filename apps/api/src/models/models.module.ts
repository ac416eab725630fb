import { Module } from '@nestjs/common';
import OpenAI from 'openai';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { ApiMetrics } from '../metrics/api-metrics';
import { DemoModelProvider } from './demo-model.provider';
import { ModelCatalog } from './model-catalog';
import { ModelProvider } from './model-provider';
import { ModelsController } from './models.controller';
import { OpenAiModelProvider } from './openai-model.provider';
import { ResilientModelProvider } from './resilient-model.provider';
import { createUpstreamFetch } from './upstream-fetch';

/** The provider the configuration names, bounded in time and retried per the `upstream` settings. */
function createModelProvider(config: AppConfig, metrics: ApiMetrics): ModelProvider {
  return new ResilientModelProvider(createUpstream(config), config.upstream, { metrics });
}

/** Picks the provider the configuration names. */
function createUpstream(config: AppConfig): ModelProvider {
  if (config.provider === 'demo') return new DemoModelProvider(config.demoTokenDelayMs);
  // ResilientModelProvider retries: the SDK's own retries would be silent and blind to the time
  // limits (a Retry-After could outlast the first-token budget).
  const client = new OpenAI({
    apiKey: config.openai.apiKey,
    baseURL: config.openai.baseUrl,
    maxRetries: 0,
    fetch: createUpstreamFetch(),
  });
  return new OpenAiModelProvider(client);
}

@Module({
  controllers: [ModelsController],
  providers: [
    ModelCatalog,
    { provide: ModelProvider, useFactory: createModelProvider, inject: [APP_CONFIG, ApiMetrics] },
  ],
  exports: [ModelCatalog, ModelProvider],
})
export class ModelsModule {}
