import { Inject, Injectable } from '@nestjs/common';
import type { ModelsResponse } from '@tokenstream/stream-contracts';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';

/** The models callers may use, and which one answers when a request names none. */
@Injectable()
export class ModelCatalog {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** The model a request gets: the one it names if offered, the default if it names none, else undefined. */
  resolve(requested: string | undefined): string | undefined {
    if (requested === undefined) return this.config.defaultModel;
    return this.config.models.includes(requested) ? requested : undefined;
  }

  /** The body of `GET /api/models`. */
  describe(): ModelsResponse {
    return {
      provider: this.config.provider,
      defaultModel: this.config.defaultModel,
      models: [...this.config.models],
    };
  }
}
