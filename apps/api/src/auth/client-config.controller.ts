import { Controller, Get, Inject } from '@nestjs/common';
import type { ClientConfigResponse } from '@tokenstream/stream-contracts';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { Public } from './public.decorator';

@Controller('client-config')
export class ClientConfigController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Public, so a browser whose session expired can still learn where to sign in. */
  @Public()
  @Get()
  clientConfig(): ClientConfigResponse {
    const { signInUrl } = this.config.auth;
    return signInUrl ? { signInUrl } : {};
  }
}
