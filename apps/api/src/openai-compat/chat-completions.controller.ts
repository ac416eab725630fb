import { Body, Controller, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { ChatCompletionsService } from './chat-completions.service';
import type { OpenAiChatRequest } from './openai-chat-request';
import { OpenAiChatRequestPipe } from './openai-chat-request.pipe';
import { OpenAiExceptionFilter } from './openai-exception.filter';
import { OpenAiPaths } from './openai-paths';

@Controller()
@UseFilters(OpenAiExceptionFilter)
export class ChatCompletionsController {
  constructor(private readonly completions: ChatCompletionsService) {}

  /** OpenAI's chat completions, streamed (`stream: true`) or whole. */
  @Post(OpenAiPaths.chatCompletions)
  create(
    @Body(OpenAiChatRequestPipe) request: OpenAiChatRequest,
    @Req() req: Request & { id?: unknown },
    @Res() res: Response,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    return this.completions.respond(request, { requestId: String(req.id), principal }, res);
  }
}
