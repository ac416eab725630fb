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
import { CurrentPrincipal } from '../common/current-principal.decorator';
import type { Principal } from '../shared/principal';
import {
  ApiAuthenticated,
  ApiErrors,
  ApiFrameStream,
  ApiLastEventIdHeader,
} from '../common/api-docs.decorators';
import { parseLastEventId } from './last-event-id';
import { sendDelivery } from './send-delivery';
import { streamNotFound } from './stream-errors';
import { StreamReaders } from './stream-readers';
import { requestSpan } from '../tracing/request-span';

/** Stream ids are UUIDs; anything else cannot name a stream, so it is a 404 like an unknown one. */
const streamIdPipe = new ParseUUIDPipe({
  exceptionFactory: streamNotFound,
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
  constructor(private readonly readers: StreamReaders) {}

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
    const trace = requestSpan(res.req);
    const delivery = await this.readers.resume(streamId, afterSeq, res, principal, trace);
    // 204, which WHATWG's EventSource takes as "stop reconnecting".
    if (!delivery) return void res.status(204).end();
    sendDelivery(res, delivery);
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
    return this.readers.stop(streamId, principal);
  }
}
