import {
  Body,
  Controller,
  HttpCode,
  MessageEvent,
  Req,
  RequestMethod,
  Res,
  Sse,
} from '@nestjs/common';
import type { ChatRequest } from '@tokenstream/stream-contracts';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { StreamsService } from '../streams/streams.service';
import { ChatRequestPipe } from './chat-request.pipe';

@Controller('chat')
export class ChatController {
  constructor(private readonly streams: StreamsService) {}

  /**
   * Starts a reply and delivers its frames from the first. POST, so the conversation travels in the
   * body; a client that loses the connection resumes with `GET /api/streams/:id/events`.
   */
  @Sse('stream', { method: RequestMethod.POST })
  @HttpCode(200)
  stream(
    @Body(ChatRequestPipe) request: ChatRequest,
    @Req() req: Request & { id?: unknown },
    @Res({ passthrough: true }) res: Response,
    @CurrentPrincipal() principal: Principal,
  ): Observable<MessageEvent> {
    const streamId = this.streams.start(request, { requestId: String(req.id), principal });
    return this.streams.deliver(streamId, 0, res, principal);
  }
}
