import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { MeResponse } from '@tokenstream/stream-contracts';
import { ApiAuthenticated } from '../common/api-docs.decorators';
import { schemaRef } from '../common/openapi-schemas';
import { ModelCatalog } from '../models/model-catalog';
import { CurrentPrincipal } from '../common/current-principal.decorator';
import type { Principal } from '../shared/principal';
import { Admins } from './admins';

@ApiTags('auth')
@ApiAuthenticated()
@Controller('me')
export class MeController {
  constructor(
    private readonly catalog: ModelCatalog,
    private readonly admins: Admins,
  ) {}

  /** Who the api takes the caller to be, and which models it may use. */
  @ApiOperation({ summary: 'Who the api takes the caller to be' })
  @ApiOkResponse({ schema: schemaRef('MeResponse') })
  @Get()
  me(@CurrentPrincipal() principal: Principal): MeResponse {
    const { id, kind, via, name, email, groups } = principal;
    return {
      ...{ id, kind, via, name, email, groups },
      models: this.catalog.describe(principal).models,
      embeddingModels: this.catalog.allowedFor(principal, 'embeddings'),
      isAdmin: this.admins.includes(principal),
    };
  }
}
