import { Body, Controller, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IDEMPOTENCY_KEY_HEADER, type ChatRequest } from '@tokenstream/stream-contracts';
import type { Request, Response } from 'express';
import { CurrentPrincipal } from '../common/current-principal.decorator';
import type { Principal } from '../shared/principal';
import { ApiAuthenticated, ApiErrors, ApiFrameStream } from '../common/api-docs.decorators';
import { schemaRef } from '../common/openapi-schemas';
import { IdempotencyKeyHeader } from '../common/api-docs.decorators';
import { parseIdempotencyKey } from '../streams/idempotency-key';
import { sendDelivery } from '../streams/send-delivery';
import { StreamReaders } from '../streams/stream-readers';
import { StreamStarter } from '../streams/stream-starter';
import { ConversationTurns } from '../conversations/conversation-turns';
import { requestSpan } from '../tracing/request-span';
import { ChatRequestPipe } from './chat-request.pipe';

@ApiTags('streams')
@ApiAuthenticated()
@Controller('chat')
export class ChatController {
  constructor(
    private readonly starter: StreamStarter,
    private readonly readers: StreamReaders,
    private readonly turns: ConversationTurns,
  ) {}

  /**
   * Starts a reply and delivers its frames from the first. POST, so the conversation travels in the
   * body (or, with `conversation`, is read from the kept one); a client that loses the connection
   * resumes with `GET /api/streams/:id/events`.
   */
  @ApiOperation({ summary: 'Start a reply and stream its frames' })
  @ApiBody({ schema: schemaRef('ChatRequest') })
  @ApiFrameStream()
  @IdempotencyKeyHeader()
  @ApiErrors(400, 403, 404, 409, 413, 429, 503)
  @Post('stream')
  @HttpCode(200)
  async stream(
    @Body(ChatRequestPipe) request: ChatRequest,
    @Headers(IDEMPOTENCY_KEY_HEADER) idempotencyKey: string | undefined,
    @Req() req: Request & { id?: unknown },
    @Res() res: Response,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    // Nothing is sent before this resolves: a refusal (400, 403, 409, 429, 503) is still a plain
    // answer.
    // A turn of a kept conversation: the model reads its branch, and its reply is kept.
    const turn = request.conversation ? await this.turns.prepare(request, principal.id) : undefined;
    const trace = requestSpan(req);
    const started = await this.starter.start(turn?.request ?? request, {
      requestId: String(req.id),
      trace,
      principal,
      isClientGone: () => req.socket.destroyed,
      idempotencyKey: parseIdempotencyKey(idempotencyKey),
      keeper: turn?.keeper,
    });
    // Nobody is there to answer: the client left while the stream was being admitted.
    if (!started) return;
    sendDelivery(
      res,
      await this.readers.deliver(started.streamId, 0, res, principal, started.reader, trace),
    );
  }
}
