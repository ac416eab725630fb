import type { CreateEmbeddingResponse, Embedding } from 'openai/resources/embeddings';
import { float32Base64, mockEmbedding } from './embedding-vector';
import type { EmbeddingsRequest } from './embeddings-request';
import { estimateEmbeddingUsage } from './usage';

// The SDK's own types pin the wire format: if a field drifts from what openai expects, this file stops compiling.

/**
 * One embedding as `encoding_format: 'base64'` puts it on the wire. The SDK types only the decoded
 * form (`embedding: number[]`), which is what its create() hands back after decoding this string.
 */
export type Base64Embedding = Omit<Embedding, 'embedding'> & { embedding: string };

/** The body of an embeddings answer, in either encoding. */
export type EmbeddingsWireResponse =
  CreateEmbeddingResponse | (Omit<CreateEmbeddingResponse, 'data'> & { data: Base64Embedding[] });

/** The answer to a valid embeddings request: one mockEmbedding per input, in order, and the usage. */
export function embeddingsResponse(request: EmbeddingsRequest): EmbeddingsWireResponse {
  const vectors = request.inputs.map((input) => mockEmbedding(input, request.dimensions));
  const tail = { model: request.model, usage: estimateEmbeddingUsage(request.inputs) };
  // Keys in OpenAI's order (object, data, model, usage), so a raw body reads like the real one.
  if (request.encodingFormat === 'base64') {
    const data = vectors.map((vector, index): Base64Embedding => ({
      object: 'embedding',
      index,
      embedding: float32Base64(vector),
    }));
    return { object: 'list', data, ...tail };
  }
  const data = vectors.map((embedding, index): Embedding => ({
    object: 'embedding',
    index,
    embedding,
  }));
  return { object: 'list', data, ...tail };
}
