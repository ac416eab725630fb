import { Body, Controller, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { ApiAuthenticated, ApiOpenAiErrors } from '../common/api-docs.decorators';
import { ChatCompletionsService } from './chat-completions.service';
import type { OpenAiChatRequest } from './openai-chat-request';
import { OpenAiChatRequestPipe } from './openai-chat-request.pipe';
import { OpenAiExceptionFilter } from './openai-exception.filter';
import { OpenAiPaths } from './openai-paths';

@ApiTags('openai-compatible')
@ApiAuthenticated('OpenAiErrorBody')
@Controller()
@UseFilters(OpenAiExceptionFilter)
export class ChatCompletionsController {
  constructor(private readonly completions: ChatCompletionsService) {}

  /** OpenAI's chat completions, streamed (`stream: true`) or whole. */
  @ApiOperation({ summary: "OpenAI's chat completions, streamed or whole" })
  @ApiBody({
    description: "OpenAI's chat completion request (`model`, `messages`, `stream`, …).",
    schema: { type: 'object', required: ['messages'] },
  })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOkResponse({
    description:
      'A `chat.completion` object, or with `stream: true` Server-Sent Events of `chat.completion.chunk` objects ending with `data: [DONE]`.',
  })
  @ApiOpenAiErrors(400, 403, 429, 503)
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
