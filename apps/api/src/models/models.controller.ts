import { Controller, Get } from '@nestjs/common';
import type { ModelsResponse } from '@tokenstream/stream-contracts';
import { ModelCatalog } from './model-catalog';

@Controller('models')
export class ModelsController {
  constructor(private readonly catalog: ModelCatalog) {}

  @Get()
  list(): ModelsResponse {
    return this.catalog.describe();
  }
}
