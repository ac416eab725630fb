import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ClientConfigResponse } from '@tokenstream/stream-contracts';
import { schemaRef } from '../common/openapi-schemas';
import type { AppConfig } from '../config/app-config';
import { CONFIG } from '../config/config-slices';
import { Public } from '../common/public.decorator';

@ApiTags('auth')
@Controller('client-config')
export class ClientConfigController {
  constructor(@Inject(CONFIG.auth) private readonly auth: AppConfig['auth']) {}

  /** Public, so a browser whose session expired can still learn where to sign in. */
  @ApiOperation({ summary: 'What a browser client needs up front (public)' })
  @ApiOkResponse({ schema: schemaRef('ClientConfigResponse') })
  @Public()
  @Get()
  clientConfig(): ClientConfigResponse {
    const { signInUrl } = this.auth;
    return signInUrl ? { signInUrl } : {};
  }
}
