import { Controller, Get } from '@nestjs/common';
import type { ModelsResponse } from '@tokenstream/stream-contracts';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { ModelCatalog } from './model-catalog';

@Controller('models')
export class ModelsController {
  constructor(private readonly catalog: ModelCatalog) {}

  /** The models the caller may use. */
  @Get()
  list(@CurrentPrincipal() principal: Principal): ModelsResponse {
    return this.catalog.describe(principal);
  }
}
