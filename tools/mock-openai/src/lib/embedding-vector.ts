import { createHash } from 'node:crypto';
import { DEFAULT_EMBEDDING_DIMENSIONS, type EmbeddingInput } from './embeddings-request';

const FLOAT32_BYTES = 4;

/**
 * The vector the mock answers for one input: derived from a SHAKE-256 hash of it, so equal inputs
 * get equal vectors and different inputs different ones, whatever the model. It has unit length, as
 * OpenAI's embeddings do (cosine similarity is then the dot product), and every component is a
 * float32 value, so the `float` and `base64` encodings carry exactly the same numbers.
 */
export function mockEmbedding(
  input: EmbeddingInput,
  dimensions: number = DEFAULT_EMBEDDING_DIMENSIONS,
): number[] {
  const hash = createHash('shake256', { outputLength: dimensions * FLOAT32_BYTES });
  // The kind is hashed too, so the text "[1,2]" and the token list [1, 2] get different vectors.
  hash.update(typeof input === 'string' ? `text\0${input}` : `tokens\0${input.join(',')}`);
  const bytes = hash.digest();
  const raw: number[] = [];
  for (let index = 0; index < dimensions; index += 1) {
    // Four hash bytes per component, spread over [-1, 1).
    raw.push((bytes.readUInt32LE(index * FLOAT32_BYTES) / 2 ** 32) * 2 - 1);
  }
  // Only an all-zero hash could give a zero norm; the guard keeps that case finite anyway.
  const norm = Math.hypot(...raw) || 1;
  return raw.map((component) => Math.fround(component / norm));
}

/** `vector` as OpenAI's `encoding_format: 'base64'` carries it: little-endian float32 bytes, base64-encoded. */
export function float32Base64(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * FLOAT32_BYTES);
  vector.forEach((component, index) => bytes.writeFloatLE(component, index * FLOAT32_BYTES));
  return bytes.toString('base64');
}
