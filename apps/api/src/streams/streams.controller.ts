import {
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Query,
  Res,
} from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { LAST_EVENT_ID_PARAM } from '@tokenstream/stream-contracts';
import type { Response } from 'express';
import { ErrorCodes } from '@tokenstream/stream-contracts';
import { CurrentPrincipal } from '../common/current-principal.decorator';
import type { Principal } from '../shared/principal';
import {
  ApiAuthenticated,
  ApiErrors,
  ApiFrameStream,
  ApiLastEventIdHeader,
} from '../common/api-docs.decorators';
import { ApiException } from '../common/api-exception';
import { sendEventStream } from '../common/event-stream-response';
import { encodeFrameBatch } from './frame-batch-encoder';
import { parseLastEventId } from './last-event-id';
import { StreamsService } from './streams.service';

/** Stream ids are UUIDs; anything else cannot name a stream, so it is a 404 like an unknown one. */
const streamIdPipe = new ParseUUIDPipe({
  exceptionFactory: () => new ApiException(404, ErrorCodes.streamNotFound, 'No such stream.'),
});

@ApiTags('streams')
@ApiAuthenticated()
@ApiParam({
  name: 'streamId',
  format: 'uuid',
  description: 'From the `start` frame or `X-Stream-Id`.',
})
@Controller('streams')
export class StreamsController {
  constructor(private readonly streams: StreamsService) {}

  /** Replays a stream after `Last-Event-ID` and follows it live: what `EventSource` reconnects to. */
  @ApiOperation({ summary: 'Resume a stream after Last-Event-ID and follow it live' })
  @ApiLastEventIdHeader()
  @ApiQuery({
    name: LAST_EVENT_ID_PARAM,
    required: false,
    schema: { type: 'integer', minimum: 0 },
    description: 'Like `Last-Event-ID`, for clients that cannot set headers.',
  })
  @ApiFrameStream()
  @ApiNoContentResponse({
    description:
      'The reader already has the last frame of the finished stream: nothing follows. `EventSource` stops reconnecting.',
  })
  @ApiErrors(400, 404, 429)
  @Get(':streamId/events')
  async events(
    @Param('streamId', streamIdPipe) streamId: string,
    @Headers('last-event-id') lastEventIdHeader: string | undefined,
    @Query(LAST_EVENT_ID_PARAM) lastEventIdQuery: unknown,
    @Res() res: Response,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    const afterSeq = parseLastEventId(lastEventIdHeader, lastEventIdQuery);
    const batches = await this.streams.resume(streamId, afterSeq, res, principal);
    // 204, which WHATWG's EventSource takes as "stop reconnecting".
    if (!batches) return void res.status(204).end();
    sendEventStream(res, batches, encodeFrameBatch);
  }

  /** Stops a stream: the upstream request is aborted at once; readers get `finish: cancelled`. */
  @ApiOperation({ summary: 'Stop a stream; readers get finish: cancelled' })
  @ApiNoContentResponse({ description: 'Stopped (or already finished).' })
  @ApiErrors(404)
  @Delete(':streamId')
  @HttpCode(204)
  stop(
    @Param('streamId', streamIdPipe) streamId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    return this.streams.stop(streamId, principal);
  }
}
