import { Body, Controller, Headers, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal } from '../common/current-principal.decorator';
import type { LimitStandings } from '../shared/limit-standing';
import type { Principal } from '../shared/principal';
import { DEPLOYMENT_HEADER, IDEMPOTENCY_KEY_HEADER } from '@tokenstream/stream-contracts';
import {
  ApiAuthenticated,
  ApiOpenAiErrors,
  IdempotencyKeyHeader,
} from '../common/api-docs.decorators';
import { sendEventStream } from '../common/event-stream-response';
import { parseIdempotencyKey } from '../streams/idempotency-key';
import { setDeliveryHeaders } from '../streams/send-delivery';
import { schemaRef } from '../common/openapi-schemas';
import { RATE_LIMIT_RESPONSE_HEADERS } from '../common/rate-limit-response-headers';
import { ChatCompletionsService } from './chat-completions.service';
import type { OpenAiChatRequest } from './openai-chat-request';
import { OpenAiChatRequestPipe } from './openai-chat-request.pipe';
import { OpenAiPaths } from './openai-paths';
import { setOpenAiRateLimitHeaders } from './openai-rate-limit-headers';
import { requestSpan } from '../tracing/request-span';

@ApiTags('openai-compatible')
@ApiAuthenticated('OpenAiErrorBody')
@Controller()
export class ChatCompletionsController {
  constructor(private readonly completions: ChatCompletionsService) {}

  /** OpenAI's chat completions, streamed (`stream: true`) or whole. */
  @ApiOperation({ summary: "OpenAI's chat completions, streamed or whole" })
  @ApiBody({ schema: schemaRef('ChatCompletionRequest') })
  @ApiOkResponse({
    description:
      'Without `stream`: one `ChatCompletion` (`#/components/schemas/ChatCompletion`) as JSON, with ' +
      '`usage`. With `stream: true`: Server-Sent Events (`text/event-stream`) whose `data:` lines ' +
      'each hold a `ChatCompletionChunk` (`#/components/schemas/ChatCompletionChunk`) as JSON, then ' +
      'a last `data: [DONE]`; `: keep-alive` comments come while it is quiet. A failure after the ' +
      'stream opened is one event whose `data` is an `OpenAiErrorBody`, and no `[DONE]` follows. ' +
      "OpenAI's `x-ratelimit-*` headers say where the caller's limits stand (not on a reply " +
      'joined by its `Idempotency-Key`, which was admitted before).',
    headers: RATE_LIMIT_RESPONSE_HEADERS,
    content: {
      'application/json': { schema: schemaRef('ChatCompletion') },
      'text/event-stream': { schema: schemaRef('ChatCompletionChunk') },
    },
  })
  @IdempotencyKeyHeader()
  @ApiOpenAiErrors(400, 403, 404, 409, 413, 415, 429, 502, 503, 504)
  @Post(OpenAiPaths.chatCompletions)
  async create(
    @Body(OpenAiChatRequestPipe) request: OpenAiChatRequest,
    @Headers(IDEMPOTENCY_KEY_HEADER) idempotencyKey: string | undefined,
    @Req() req: Request & { id?: unknown },
    @Res() res: Response,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    const context = {
      requestId: String(req.id),
      principal,
      idempotencyKey: parseIdempotencyKey(idempotencyKey),
      // Set once admitted, so that any answer after that carries them: the reply or an error.
      onAdmitted: (standing: LimitStandings) => setOpenAiRateLimitHeaders(res, standing),
      trace: requestSpan(req),
    };
    const answer = await this.completions.answer(request, context, res);
    // The caller left before its reply was started: nobody is there to answer.
    if (!answer) return;
    setDeliveryHeaders(res, answer.delivery);
    if (answer.deployment && !res.headersSent) res.setHeader(DEPLOYMENT_HEADER, answer.deployment);
    if ('encode' in answer) sendEventStream(res, answer.delivery.batches, answer.encode);
    else res.status(200).json(answer.completion);
  }
}
