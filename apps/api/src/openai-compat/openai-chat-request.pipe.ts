import { Injectable, PipeTransform } from '@nestjs/common';
import { parseOpenAiChatRequest, type OpenAiChatRequest } from './openai-chat-request';

/** Checks an OpenAI chat completion body; a bad one is a `400` in OpenAI's error shape. */
@Injectable()
export class OpenAiChatRequestPipe implements PipeTransform<unknown, OpenAiChatRequest> {
  transform(body: unknown): OpenAiChatRequest {
    return parseOpenAiChatRequest(body);
  }
}
