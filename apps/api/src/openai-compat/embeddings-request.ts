import { parseWithSchema } from '@tokenstream/stream-contracts';
import type { EmbeddingCreateParams } from 'openai/resources/embeddings';
import { z } from 'zod';
import { OpenAiRequestError } from './openai-error';

/** The most characters of input one request may carry: OpenAI's own bounds are about this size. */
export const MAX_EMBEDDINGS_INPUT_CHARS = 1_000_000;

const tokens = z.array(z.int().min(0));

/**
 * The body of `POST /v1/embeddings`: OpenAI's embeddings request. tokenstream checks the model and
 * the input (it counts its tokens against the caller's limits); every other parameter
 * (`dimensions`, `encoding_format`, `user`, any added later) goes to the upstream as it came.
 */
export const embeddingsRequestSchema = z
  .looseObject({
    model: z.string().min(1).max(200).describe('An embeddings model: one of `GET /v1/models`.'),
    input: z
      .union([z.string(), z.array(z.string()).min(1), tokens.min(1), z.array(tokens).min(1)])
      .describe('Text, texts, or token arrays to embed.'),
  })
  .describe(
    "OpenAI's embeddings request. tokenstream checks `model` and `input` and passes every " +
      'parameter to the upstream as it came.',
  );

/** A checked embeddings body, and the size of its input for the limits. */
export interface EmbeddingsRequest {
  body: EmbeddingCreateParams & Record<string, unknown>;
  /** Characters of text (a token counts as four), for the estimate the limits admit it with. */
  inputChars: number;
}

/** Checks a `POST /v1/embeddings` body; a bad one throws an {@link OpenAiRequestError}. */
export function parseEmbeddingsRequest(body: unknown): EmbeddingsRequest {
  const parsed = parseWithSchema(embeddingsRequestSchema, body ?? null);
  if (!parsed.ok) {
    const [first] = parsed.problems;
    const param = first.path === '(body)' ? null : first.path;
    throw new OpenAiRequestError(`${first.path} ${first.message}.`, param, 'invalid_value');
  }
  const inputs: unknown[] = Array.isArray(parsed.value.input)
    ? parsed.value.input
    : [parsed.value.input];
  const inputChars = inputs.reduce<number>(
    (sum, item) =>
      sum + (typeof item === 'string' ? item.length : Array.isArray(item) ? item.length * 4 : 4),
    0,
  );
  if (inputChars > MAX_EMBEDDINGS_INPUT_CHARS) {
    throw new OpenAiRequestError(
      `input holds ${inputChars} characters, over the ${MAX_EMBEDDINGS_INPUT_CHARS} allowed.`,
      'input',
      'invalid_value',
    );
  }
  return { body: parsed.value as unknown as EmbeddingsRequest['body'], inputChars };
}
