import type { EmbeddingCreateParams } from 'openai/resources/embeddings';

// The named fields exist so tests can write `body.input` rather than `body['input']`.
/** An embeddings body exactly as the client sent it (untrusted JSON, hence `unknown`). */
export interface EmbeddingsRequestBody {
  [key: string]: unknown;
  model?: unknown;
  input?: unknown;
  encoding_format?: unknown;
  dimensions?: unknown;
  user?: unknown;
}

/** One input to embed: a text, or a list of token ids. */
export type EmbeddingInput = string | number[];

/** The parts of a valid embeddings request the mock acts on. */
export interface EmbeddingsRequest {
  model: EmbeddingCreateParams['model'];
  /** One entry per embedding to answer, in order. */
  inputs: EmbeddingInput[];
  encodingFormat: NonNullable<EmbeddingCreateParams['encoding_format']>;
  dimensions: number;
}

/** Vector length when the request names no `dimensions`: short, so tests can read whole vectors. */
export const DEFAULT_EMBEDDING_DIMENSIONS = 8;

// OpenAI's own limits: at most 2048 inputs per request, and no model has vectors longer than
// text-embedding-3-large's 3072. They also keep a runaway client from making the mock build huge answers.
const MAX_INPUTS = 2048;
const MAX_DIMENSIONS = 3072;

const ENCODING_FORMATS = [
  'float',
  'base64',
] as const satisfies readonly EmbeddingsRequest['encodingFormat'][];

type Invalid = { ok: false; message: string; param: string };

/** Validates an embeddings body as OpenAI does, returning its error message and `param` when a field is wrong. */
export function validateEmbeddingsRequest(
  body: EmbeddingsRequestBody,
): { ok: true; request: EmbeddingsRequest } | Invalid {
  const { model, input, encoding_format: encodingFormat, dimensions, user } = body;
  if (typeof model !== 'string' || model.length === 0) {
    return invalid('you must provide a model parameter', 'model');
  }
  if (input === undefined || input === null) {
    return invalid("'input' is a required property", 'input');
  }
  const inputs = inputsOf(input);
  if (inputs === undefined) {
    return invalid(
      "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
      'input',
    );
  }
  if (inputs.length > MAX_INPUTS) {
    return invalid(`'$.input' must have at most ${MAX_INPUTS} items.`, 'input');
  }
  const format = ENCODING_FORMATS.find((candidate) => candidate === (encodingFormat ?? 'float'));
  if (format === undefined) {
    return invalid(
      `${JSON.stringify(encodingFormat)} is not one of ['float', 'base64'] - 'encoding_format'`,
      'encoding_format',
    );
  }
  const size = dimensions ?? DEFAULT_EMBEDDING_DIMENSIONS;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > MAX_DIMENSIONS) {
    return invalid(
      `Invalid value for 'dimensions': ${JSON.stringify(dimensions)}. It must be an integer from 1 to ${MAX_DIMENSIONS}.`,
      'dimensions',
    );
  }
  if (user !== undefined && typeof user !== 'string') {
    return invalid(`${JSON.stringify(user)} is not of type 'string' - 'user'`, 'user');
  }
  return { ok: true, request: { model, inputs, encodingFormat: format, dimensions: size } };
}

/**
 * The inputs `input` holds (a text, texts, a token list or token lists), or undefined when it is
 * none of these, mixes them or contains an empty one, all of which OpenAI refuses too.
 */
function inputsOf(input: unknown): EmbeddingInput[] | undefined {
  if (isText(input)) return [input];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  const items: readonly unknown[] = input;
  if (items.every(isTokenId)) return [[...items]];
  if (items.every(isText)) return [...items];
  if (items.every(isTokenList)) return items.map((tokens) => [...tokens]);
  return undefined;
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isTokenId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function isTokenList(value: unknown): value is number[] {
  if (!Array.isArray(value) || value.length === 0) return false;
  const items: readonly unknown[] = value;
  return items.every(isTokenId);
}

function invalid(message: string, param: string): Invalid {
  return { ok: false, message, param };
}
