import { Controller, Get } from '@nestjs/common';
import type { MeResponse } from '@tokenstream/stream-contracts';
import { ModelCatalog } from '../models/model-catalog';
import { CurrentPrincipal } from './current-principal.decorator';
import type { Principal } from './principal';

@Controller('me')
export class MeController {
  constructor(private readonly catalog: ModelCatalog) {}

  /** Who the api takes the caller to be, and which models it may use. */
  @Get()
  me(@CurrentPrincipal() principal: Principal): MeResponse {
    const { id, kind, via, name, email, groups } = principal;
    return { id, kind, via, name, email, groups, models: this.catalog.describe(principal).models };
  }
}
