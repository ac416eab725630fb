import { Controller, Get, Inject, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { HealthResponse } from '@tokenstream/stream-contracts';
import type { Response } from 'express';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { schemaRef } from '../common/openapi-schemas';
import { Public } from '../auth/public.decorator';
import { GenerationRegistry } from '../streams/generation-registry';
import { StreamStore } from '../streams/stream-store';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: GenerationRegistry,
    private readonly store: StreamStore,
  ) {}

  /**
   * Live while the process answers; ready until shutdown begins or while the shared store cannot
   * be reached (then `503`, so balancers move on).
   */
  @ApiOperation({ summary: 'Liveness and readiness (public)' })
  @ApiOkResponse({ description: 'Ready.', schema: schemaRef('HealthResponse') })
  @ApiServiceUnavailableResponse({
    description:
      'Shutting down, or the shared stream store (Redis) cannot be reached: `ready: false`.',
    schema: schemaRef('HealthResponse'),
  })
  @Public()
  @Get()
  async health(@Res({ passthrough: true }) res: Response): Promise<HealthResponse> {
    // A shared store out of reach: no reply can start here (nor on any instance), so not ready.
    const store = await this.store.usage().catch(() => null);
    const status = this.registry.isDraining ? 'shutting_down' : store ? 'ok' : 'store_unavailable';
    const ready = status === 'ok';
    if (!ready) res.status(503);
    return {
      status,
      live: true,
      ready,
      provider: this.config.provider,
      activeStreams: this.registry.size,
      store,
    };
  }
}
