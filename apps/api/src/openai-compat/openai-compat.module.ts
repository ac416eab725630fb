import { Module } from '@nestjs/common';
import { BudgetsModule } from '../budgets/budgets.module';
import { LimitsModule } from '../limits/limits.module';
import { UsageModule } from '../usage/usage.module';
import { ModelsModule } from '../models/models.module';
import { StreamsModule } from '../streams/streams.module';
import { ChatCompletionsController } from './chat-completions.controller';
import { ChatCompletionsService } from './chat-completions.service';
import { EmbeddingsController } from './embeddings.controller';
import { EmbeddingsService } from './embeddings.service';
import { OpenAiModelsController } from './openai-models.controller';

/**
 * `POST /v1/chat/completions`, `POST /v1/embeddings` and `GET /v1/models` in OpenAI's wire format,
 * for OpenAI SDKs.
 */
@Module({
  imports: [StreamsModule, ModelsModule, LimitsModule, UsageModule, BudgetsModule],
  controllers: [ChatCompletionsController, EmbeddingsController, OpenAiModelsController],
  providers: [ChatCompletionsService, EmbeddingsService],
})
export class OpenAiCompatModule {}
