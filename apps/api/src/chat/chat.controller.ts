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
import { STREAM_ID_HEADER, type ChatRequest } from '@tokenstream/stream-contracts';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import { StreamsService } from '../streams/streams.service';
import { ChatRequestPipe } from './chat-request.pipe';

@Controller('chat')
export class ChatController {
  constructor(private readonly streams: StreamsService) {}

  /** Starts a reply and streams its frames as SSE. POST, so the conversation travels in the body. */
  @Sse('stream', { method: RequestMethod.POST })
  @HttpCode(200)
  stream(
    @Body(ChatRequestPipe) request: ChatRequest,
    @Req() req: Request & { id?: unknown },
    @Res({ passthrough: true }) res: Response,
  ): Observable<MessageEvent> {
    const responseClosed = new Promise<void>((resolve) => res.once('close', () => resolve()));
    const stream = this.streams.start(request, { requestId: String(req.id), responseClosed });
    res.setHeader(STREAM_ID_HEADER, stream.streamId);
    return stream.events;
  }
}
