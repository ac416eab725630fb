import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ErrorCodes } from '@tokenstream/stream-contracts';
import type { Response } from 'express';
import { ApiException } from '../common/api-exception';
import { OpenAiRequestError, type OpenAiErrorBody } from './openai-error';

/** An error response: its status, OpenAI's body, and headers such as `Retry-After`. */
interface OpenAiErrorResponse {
  status: number;
  body: OpenAiErrorBody;
  headers?: Record<string, string>;
}

/** OpenAI's error `type` for a status. */
function typeFor(status: number): string {
  if (status === 429) return 'requests';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

function error(
  status: number,
  message: string,
  param: string | null,
  code: string | null,
  headers?: Record<string, string>,
): OpenAiErrorResponse {
  return { status, body: { error: { message, type: typeFor(status), param, code } }, headers };
}

/**
 * The OpenAI-compatible routes' errors in OpenAI's shape, `{ error: { message, type, param, code } }`,
 * with the statuses and codes OpenAI's SDKs map to their error classes (an unknown model is a
 * `404 model_not_found` there, where the native protocol says `400 unknown_model`). Scoped to those
 * controllers, so it also sees the global AuthGuard's `401`. Once a stream's headers are out, errors
 * travel in-band, so here the response is only ended.
 */
@Catch()
export class OpenAiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(OpenAiExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) {
      this.logger.error({ err: exception }, 'error after the response started');
      if (!response.writableEnded) response.end();
      return;
    }
    const { status, body, headers = {} } = this.toError(exception);
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.status(status).json(body);
  }

  private toError(exception: unknown): OpenAiErrorResponse {
    if (exception instanceof OpenAiRequestError) {
      return error(400, exception.message, exception.param, exception.code);
    }
    if (exception instanceof ApiException) {
      const { statusCode, code, headers, problems } = exception;
      const message = exception.message;
      switch (code) {
        case ErrorCodes.unauthenticated:
          return error(401, message, null, 'invalid_api_key', headers);
        case ErrorCodes.unknownModel:
          return error(404, message, 'model', 'model_not_found', headers);
        case ErrorCodes.modelNotAllowed:
          return error(403, message, 'model', 'model_not_allowed', headers);
        case ErrorCodes.rateLimited:
          return error(429, message, null, 'rate_limit_exceeded', headers);
        default:
          return error(statusCode, message, problems?.[0]?.path ?? null, code, headers);
      }
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return error(status, exception.message, null, null);
    }
    this.logger.error({ err: exception }, 'unexpected error');
    return error(500, 'Something went wrong on the server.', null, ErrorCodes.internalError);
  }
}
