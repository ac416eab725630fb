/** One model in OpenAI's `GET /v1/models` format. */
export interface OpenAiModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: 'tokenstream';
}

/** The body of `GET /v1/models`. */
export interface OpenAiModelList {
  object: 'list';
  data: OpenAiModel[];
}

/**
 * `created` is when the model was published; tokenstream does not know it, so every model carries
 * the same fixed date (the Unix epoch) rather than one that changes on every call.
 */
const UNKNOWN_CREATED = 0;

/** The models as OpenAI's list. */
export function toOpenAiModelList(models: string[]): OpenAiModelList {
  return {
    object: 'list',
    data: models.map((id) => ({
      id,
      object: 'model',
      created: UNKNOWN_CREATED,
      owned_by: 'tokenstream',
    })),
  };
}
