import { Injectable } from '@angular/core';
import { ApiPaths, ModelsResponse } from '@tokenstream/stream-contracts';

/** Reads which models the api offers, and whether they are the built-in demo. */
@Injectable({ providedIn: 'root' })
export class ModelCatalog {
  /** Fetches `GET /api/models`; rejects when the answer is not a {@link ModelsResponse}. */
  async load(signal?: AbortSignal): Promise<ModelsResponse> {
    const response = await fetch(ApiPaths.models, {
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
      signal,
    });
    const body: unknown = response.ok ? await response.json() : undefined;
    if (!isModelsResponse(body)) {
      throw new Error(
        `GET ${ApiPaths.models} did not answer a model list (HTTP ${response.status})`,
      );
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
