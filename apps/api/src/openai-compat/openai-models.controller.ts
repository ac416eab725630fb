import { Controller, Get, UseFilters } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticated } from '../common/api-docs.decorators';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { ModelCatalog } from '../models/model-catalog';
import { OpenAiExceptionFilter } from './openai-exception.filter';
import { OpenAiPaths } from './openai-paths';
import { toOpenAiModelList, type OpenAiModelList } from './openai-model-list';

@ApiTags('openai-compatible')
@ApiAuthenticated('OpenAiErrorBody')
@Controller()
@UseFilters(OpenAiExceptionFilter)
export class OpenAiModelsController {
  constructor(private readonly catalog: ModelCatalog) {}

  /** The models the caller may use, in OpenAI's list format. */
  @ApiOperation({ summary: "The models the caller may use, in OpenAI's list format" })
  @ApiOkResponse({ description: 'A `list` of `model` objects.' })
  @Get(OpenAiPaths.models)
  list(@CurrentPrincipal() principal: Principal): OpenAiModelList {
    return toOpenAiModelList(this.catalog.allowedFor(principal));
  }
}
