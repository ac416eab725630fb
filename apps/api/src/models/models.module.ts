import { Module } from '@nestjs/common';
import OpenAI from 'openai';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { DemoModelProvider } from './demo-model.provider';
import { ModelCatalog } from './model-catalog';
import { ModelProvider } from './model-provider';
import { ModelsController } from './models.controller';
import { OpenAiModelProvider } from './openai-model.provider';

/** Picks the provider the configuration names. */
function createModelProvider(config: AppConfig): ModelProvider {
  if (config.provider === 'demo') return new DemoModelProvider(config.demoTokenDelayMs);
  // Retries are left to the caller: the SDK's own would retry silently and hide the upstream's state.
  const client = new OpenAI({
    apiKey: config.openai.apiKey,
    baseURL: config.openai.baseUrl,
    maxRetries: 0,
  });
  return new OpenAiModelProvider(client);
}

@Module({
  controllers: [ModelsController],
  providers: [
    ModelCatalog,
    { provide: ModelProvider, useFactory: createModelProvider, inject: [APP_CONFIG] },
  ],
  exports: [ModelCatalog, ModelProvider],
})
export class ModelsModule {}
