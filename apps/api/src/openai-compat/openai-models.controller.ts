import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticated } from '../common/api-docs.decorators';
import { schemaRef } from '../common/openapi-schemas';
import { CurrentPrincipal } from '../common/current-principal.decorator';
import type { Principal } from '../shared/principal';
import { ModelCatalog } from '../models/model-catalog';
import { OpenAiPaths } from './openai-paths';
import { toOpenAiModelList, type OpenAiModelList } from './openai-model-list';

@ApiTags('openai-compatible')
@ApiAuthenticated('OpenAiErrorBody')
@Controller()
export class OpenAiModelsController {
  constructor(private readonly catalog: ModelCatalog) {}

  /** The models the caller may use, in OpenAI's list format. */
  @ApiOperation({ summary: "The models the caller may use, in OpenAI's list format" })
  @ApiOkResponse({
    description: "OpenAI's `list` object of `model` objects, one for each model this key may use.",
    schema: schemaRef('OpenAiModelList'),
  })
  @Get(OpenAiPaths.models)
  list(@CurrentPrincipal() principal: Principal): OpenAiModelList {
    return toOpenAiModelList([
      ...this.catalog.allowedFor(principal),
      ...this.catalog.allowedFor(principal, 'embeddings'),
    ]);
  }
}
