import { Module } from '@nestjs/common';
import { ModelsModule } from '../models/models.module';
import { StreamsModule } from '../streams/streams.module';
import { ChatCompletionsController } from './chat-completions.controller';
import { ChatCompletionsService } from './chat-completions.service';
import { OpenAiModelsController } from './openai-models.controller';

/** `POST /v1/chat/completions` and `GET /v1/models` in OpenAI's wire format, for OpenAI SDKs. */
@Module({
  imports: [StreamsModule, ModelsModule],
  controllers: [ChatCompletionsController, OpenAiModelsController],
  providers: [ChatCompletionsService],
})
export class OpenAiCompatModule {}
