import { HttpException } from '@nestjs/common';

/** What went wrong reading a body, as the `code` of an OpenAI-shaped error. */
export type RequestBodyErrorCode =
  'invalid_json' | 'request_too_large' | 'unsupported_body_encoding' | 'unreadable_body';

/** body-parser's errors carry their status and a `type` such as `entity.parse.failed`. */
interface BodyParserError extends Error {
  status: number;
  type: string;
  /** With `entity.too.large`: the limit, in bytes. */
  limit?: number;
}

/** A body-parser error that is the client's doing; its `5xx` ones are bugs, left to be logged. */
function isRefusedBody(error: unknown): error is BodyParserError {
  if (!(error instanceof Error)) return false;
  const { type, status } = error as Partial<BodyParserError>;
  return typeof type === 'string' && typeof status === 'number' && status < 500;
}

/** body-parser's `type` → our code and a message naming the problem (body-parser's own is terse). */
function explain(error: BodyParserError): { code: RequestBodyErrorCode; message: string } {
  switch (error.type) {
    case 'entity.parse.failed':
      return {
        code: 'invalid_json',
        message: `The request body is not valid JSON: ${error.message}`,
      };
    case 'entity.too.large':
      return {
        code: 'request_too_large',
        message:
          error.limit === undefined
            ? 'The request body is too large.'
            : `The request body is larger than the limit of ${error.limit} bytes.`,
      };
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return {
        code: 'unsupported_body_encoding',
        message: `The request body cannot be read: ${error.message}.`,
      };
    default:
      return {
        code: 'unreadable_body',
        message: `The request body could not be read: ${error.message}.`,
      };
  }
}

/**
 * A request body refused before any route saw it: not JSON, over the size limit, in an encoding
 * the parser does not know. Each error shape (native or OpenAI's) says it in its own way.
 */
export class RequestBodyError extends HttpException {
  constructor(
    status: number,
    readonly code: RequestBodyErrorCode,
    message: string,
  ) {
    super(message, status);
  }

  /** body-parser's refusal as a {@link RequestBodyError} (itself if it is one); else `undefined`. */
  static from(error: unknown): RequestBodyError | undefined {
    if (error instanceof RequestBodyError) return error;
    if (!isRefusedBody(error)) return undefined;
    const { code, message } = explain(error);
    return new RequestBodyError(error.status, code, message);
  }
}
