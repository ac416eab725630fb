import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ModelsResponse } from '@tokenstream/stream-contracts';
import { CurrentPrincipal } from '../common/current-principal.decorator';
import type { Principal } from '../shared/principal';
import { ApiAuthenticated } from '../common/api-docs.decorators';
import { schemaRef } from '../common/openapi-schemas';
import { ModelCatalog } from './model-catalog';

@ApiTags('models')
@ApiAuthenticated()
@Controller('models')
export class ModelsController {
  constructor(private readonly catalog: ModelCatalog) {}

  /** The models the caller may use. */
  @ApiOperation({ summary: 'The models the caller may use' })
  @ApiOkResponse({ schema: schemaRef('ModelsResponse') })
  @Get()
  list(@CurrentPrincipal() principal: Principal): ModelsResponse {
    return this.catalog.describe(principal);
  }
}
