import { Controller, Get, UseFilters } from '@nestjs/common';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { ModelCatalog } from '../models/model-catalog';
import { OpenAiExceptionFilter } from './openai-exception.filter';
import { OpenAiPaths } from './openai-paths';
import { toOpenAiModelList, type OpenAiModelList } from './openai-model-list';

@Controller()
@UseFilters(OpenAiExceptionFilter)
export class OpenAiModelsController {
  constructor(private readonly catalog: ModelCatalog) {}

  /** The models the caller may use, in OpenAI's list format. */
  @Get(OpenAiPaths.models)
  list(@CurrentPrincipal() principal: Principal): OpenAiModelList {
    return toOpenAiModelList(this.catalog.allowedFor(principal));
  }
}
