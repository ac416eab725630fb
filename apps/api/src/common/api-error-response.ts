import { HttpException, HttpStatus } from '@nestjs/common';
import { ErrorCodes, type ApiErrorBody } from '@tokenstream/stream-contracts';
import { ApiException } from './api-exception';
import type { ErrorResponse } from './error-response';
import { RequestBodyError } from './request-body-error';

/**
 * An error as the native routes answer it, an {@link ApiErrorBody}; anything that is not an
 * `HttpException` is a `500` whose details are for the log only.
 */
export function toApiErrorResponse(
  exception: unknown,
  requestId?: string,
): ErrorResponse<ApiErrorBody> {
  const { body, headers = {} } = bodyOf(exception);
  if (requestId !== undefined) body.requestId = requestId;
  return { status: body.statusCode, body, headers };
}

function bodyOf(exception: unknown): { body: ApiErrorBody; headers?: Record<string, string> } {
  if (exception instanceof ApiException) {
    const { statusCode, code, problems, headers } = exception;
    const body = {
      statusCode,
      code,
      message: exception.message,
      ...(problems ? { problems } : {}),
    };
    return { body, headers };
  }
  if (exception instanceof RequestBodyError) {
    const statusCode = exception.getStatus();
    const code = statusCode === HttpStatus.BAD_REQUEST ? ErrorCodes.invalidRequest : 'http_error';
    return { body: { statusCode, code, message: exception.message } };
  }
  if (exception instanceof HttpException) {
    return {
      body: { statusCode: exception.getStatus(), code: 'http_error', message: exception.message },
    };
  }
  return {
    body: {
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      code: ErrorCodes.internalError,
      message: 'Something went wrong on the server.',
    },
  };
}
