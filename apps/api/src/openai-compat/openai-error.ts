import { HttpException } from '@nestjs/common';

/** OpenAI's error `type`s that tokenstream answers: by status, `429` and `5xx` aside. */
export const OPENAI_ERROR_TYPES = [
  'invalid_request_error',
  'requests',
  'insufficient_quota',
  'server_error',
] as const;

/** One of {@link OPENAI_ERROR_TYPES}. */
export type OpenAiErrorType = (typeof OPENAI_ERROR_TYPES)[number];

/** The body of every error on the OpenAI-compatible routes, in OpenAI's own shape. */
export interface OpenAiErrorBody {
  error: {
    message: string;
    type: OpenAiErrorType;
    param: string | null;
    code: string | null;
  };
}

/** A request the OpenAI-compatible routes refuse with a `400` naming the parameter at fault. */
export class OpenAiRequestError extends HttpException {
  constructor(
    message: string,
    readonly param: string | null,
    readonly code: string | null,
  ) {
    super(message, 400);
  }
}
