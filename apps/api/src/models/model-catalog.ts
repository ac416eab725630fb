import { Inject, Injectable } from '@nestjs/common';
import { ErrorCodes, type ModelsResponse } from '@tokenstream/stream-contracts';
import { ApiException } from '../common/api-exception';
import { ANONYMOUS, type Principal } from '../shared/principal';
import type { AppConfig } from '../config/app-config';
import { CONFIG } from '../config/config-slices';

/** What a model is asked to do: chat, or embeddings (`POST /v1/embeddings`). */
export type ModelUse = 'chat' | 'embeddings';

/** The model a request gets, or why it gets none. */
export type ModelChoice =
  { ok: true; model: string } | { ok: false; reason: 'unknown' | 'not-allowed' };

/** The models callers may use, and which one answers when a request names none. */
@Injectable()
export class ModelCatalog {
  constructor(@Inject(CONFIG.models) private readonly config: AppConfig['models']) {}

  /**
   * The models `principal` may use: what the api offers, narrowed for a service by its key's own
   * list (an explicit grant, which group restrictions do not override), and for a user by the
   * groups `MODEL_GROUPS` requires.
   */
  allowedFor(principal: Principal, use: ModelUse = 'chat'): string[] {
    const offered = use === 'chat' ? this.config.models : this.config.embeddingModels;
    const granted = principal.models;
    if (granted) return offered.filter((model) => granted.includes(model));
    if (principal.kind === 'service') return [...offered];
    return offered.filter((model) => {
      const groups = this.config.modelGroups[model];
      return !groups || groups.some((group) => principal.groups.includes(group));
    });
  }

  /** The model a request gets: the one it names, or the caller's default when it names none. */
  resolve(
    requested: string | undefined,
    principal: Principal = ANONYMOUS,
    use: ModelUse = 'chat',
  ): ModelChoice {
    const allowed = this.allowedFor(principal, use);
    if (requested === undefined) {
      const model = use === 'chat' ? this.defaultFor(allowed) : undefined;
      return model ? { ok: true, model } : { ok: false, reason: 'not-allowed' };
    }
    const offered = use === 'chat' ? this.config.models : this.config.embeddingModels;
    if (!offered.includes(requested)) return { ok: false, reason: 'unknown' };
    return allowed.includes(requested)
      ? { ok: true, model: requested }
      : { ok: false, reason: 'not-allowed' };
  }

  /**
   * The model a request gets, as {@link resolve}, or the error it gets instead: a `400` naming the
   * models on offer for one the api does not know, a `403` for one the caller may not use.
   */
  choose(requested: string | undefined, principal: Principal, use: ModelUse = 'chat'): string {
    const choice = this.resolve(requested, principal, use);
    if (choice.ok) return choice.model;
    const available = this.allowedFor(principal, use).join(', ') || 'none';
    if (choice.reason === 'unknown') {
      throw new ApiException(
        400,
        ErrorCodes.unknownModel,
        `Unknown model "${requested}". Available: ${available}.`,
        [{ path: 'model', message: 'is not one of the models this server offers' }],
      );
    }
    throw new ApiException(
      403,
      ErrorCodes.modelNotAllowed,
      `You may not use the model "${requested ?? 'default'}". Available to you: ${available}.`,
      [{ path: 'model', message: 'is not one of the models you may use' }],
    );
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
