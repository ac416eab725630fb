import type { Model } from 'openai/resources/models';

/** The body of GET /v1/models: OpenAI's list envelope around `model` objects. */
export interface ModelList {
  object: 'list';
  data: Model[];
}

// A fixed date keeps responses byte-for-byte reproducible (2024-05-13, gpt-4o's release).
const MODEL_CREATED = 1715558400;

/** One `model` object as GET /v1/models/{id} returns it. */
export function modelObject(id: string): Model {
  return { id, object: 'model', created: MODEL_CREATED, owned_by: 'system' };
}

/** The list of the configured model ids. */
export function modelList(ids: readonly string[]): ModelList {
  return { object: 'list', data: ids.map(modelObject) };
}
