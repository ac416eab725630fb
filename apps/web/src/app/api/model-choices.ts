import { inject, Injectable } from '@angular/core';
import { ApiPaths, ModelsResponse } from '@tokenstream/stream-contracts';
import { getJson } from './api-json';
import { CHAT_AUTH_TOKEN } from './auth-token';

/** Reads which models the api offers, and whether they are the built-in demo. */
@Injectable({ providedIn: 'root' })
export class ModelChoices {
  private readonly token = inject(CHAT_AUTH_TOKEN);

  /**
   * Fetches `GET /api/models`. Rejects with a `ChatClientError` of kind `unauthenticated` when the
   * session is gone, and with an `Error` when the answer is not a {@link ModelsResponse}.
   */
  async load(signal?: AbortSignal): Promise<ModelsResponse> {
    const body = await getJson(ApiPaths.models, this.token, signal);
    if (!isModelsResponse(body)) {
      throw new Error(`GET ${ApiPaths.models} did not answer a model list`);
    }
    return body;
  }
}

function isModelsResponse(value: unknown): value is ModelsResponse {
  if (typeof value !== 'object' || value === null) return false;
  const body = value as Partial<Record<keyof ModelsResponse, unknown>>;
  return (
    (body.provider === 'openai' || body.provider === 'demo') &&
    typeof body.defaultModel === 'string' &&
    Array.isArray(body.models) &&
    body.models.every((model) => typeof model === 'string')
  );
}
