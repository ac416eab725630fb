import { Inject, Injectable } from '@nestjs/common';
import type { ModelsResponse } from '@tokenstream/stream-contracts';
import { ANONYMOUS, type Principal } from '../auth/principal';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';

/** The model a request gets, or why it gets none. */
export type ModelChoice =
  { ok: true; model: string } | { ok: false; reason: 'unknown' | 'not-allowed' };

/** The models callers may use, and which one answers when a request names none. */
@Injectable()
export class ModelCatalog {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /**
   * The models `principal` may use: what the api offers, narrowed for a service by its key's own
   * list (an explicit grant, which group restrictions do not override), and for a user by the
   * groups `MODEL_GROUPS` requires.
   */
  allowedFor(principal: Principal): string[] {
    const granted = principal.models;
    if (granted) return this.config.models.filter((model) => granted.includes(model));
    if (principal.kind === 'service') return [...this.config.models];
    return this.config.models.filter((model) => {
      const groups = this.config.modelGroups[model];
      return !groups || groups.some((group) => principal.groups.includes(group));
    });
  }

  /** The model a request gets: the one it names, or the caller's default when it names none. */
  resolve(requested: string | undefined, principal: Principal = ANONYMOUS): ModelChoice {
    const allowed = this.allowedFor(principal);
    if (requested === undefined) {
      const model = this.defaultFor(allowed);
      return model ? { ok: true, model } : { ok: false, reason: 'not-allowed' };
    }
    if (!this.config.models.includes(requested)) return { ok: false, reason: 'unknown' };
    return allowed.includes(requested)
      ? { ok: true, model: requested }
      : { ok: false, reason: 'not-allowed' };
  }

  /** The body of `GET /api/models`: only what the caller may use. */
  describe(principal: Principal = ANONYMOUS): ModelsResponse {
    const models = this.allowedFor(principal);
    return {
      provider: this.config.provider,
      defaultModel: this.defaultFor(models) ?? this.config.defaultModel,
      models,
    };
  }

  private defaultFor(allowed: string[]): string | undefined {
    return allowed.includes(this.config.defaultModel) ? this.config.defaultModel : allowed[0];
  }
}
