import { HttpException } from '@nestjs/common';

/** The body of every error on the OpenAI-compatible routes, in OpenAI's own shape. */
export interface OpenAiErrorBody {
  error: {
    message: string;
    type: string;
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
