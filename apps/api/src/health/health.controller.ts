import { Controller, Get, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { HealthResponse, LivenessResponse } from '@tokenstream/stream-contracts';
import type { Response } from 'express';
import { schemaRef } from '../common/openapi-schemas';
import { Public } from '../common/public.decorator';
import { APP_VERSION } from '../config/app-version';
import { Readiness } from './readiness';

const NOT_READY =
  'Draining after SIGTERM, or a configured Redis or PostgreSQL cannot be reached: `ready: false`, ' +
  'and `status` says why.';

/** The probes: public, as load balancers and kubelets call them without credentials. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: Readiness) {}

  /** Readiness with its details, as before the two probes below existed. */
  @ApiOperation({ summary: 'Readiness with details (public); the same answer as /health/ready' })
  @ApiOkResponse({ description: 'Ready.', schema: schemaRef('HealthResponse') })
  @ApiServiceUnavailableResponse({ description: NOT_READY, schema: schemaRef('HealthResponse') })
  @Public()
  @Get()
  health(@Res({ passthrough: true }) res: Response): Promise<HealthResponse> {
    return this.ready(res);
  }

  /**
   * Liveness: answering at all shows the process and its event loop are alive. It stays `200`
   * while the api drains and while Redis or PostgreSQL are away: restarting would fix neither.
   */
  @ApiOperation({ summary: 'Liveness (public): the process answers' })
  @ApiOkResponse({ description: 'Alive.', schema: schemaRef('LivenessResponse') })
  @Public()
  @Get('live')
  live(): LivenessResponse {
    return { live: true, version: APP_VERSION };
  }

  /** Readiness: whether to send this instance new requests. */
  @ApiOperation({ summary: 'Readiness (public): whether to send this instance requests' })
  @ApiOkResponse({ description: 'Ready.', schema: schemaRef('HealthResponse') })
  @ApiServiceUnavailableResponse({ description: NOT_READY, schema: schemaRef('HealthResponse') })
  @Public()
  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthResponse> {
    const report = await this.readiness.report();
    if (!report.ready) res.status(503);
    return report;
  }
}
