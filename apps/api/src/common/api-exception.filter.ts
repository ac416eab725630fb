import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { ErrorCodes, type ApiErrorBody } from '@tokenstream/stream-contracts';
import type { Request, Response } from 'express';
import { ApiException } from './api-exception';

/** body-parser's errors carry their status and a `type` such as `entity.parse.failed`. */
interface BodyParserError extends Error {
  status: number;
  type: string;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return error instanceof Error && typeof (error as Partial<BodyParserError>).type === 'string';
}

function describeBodyParserError(error: BodyParserError): string {
  switch (error.type) {
    case 'entity.parse.failed':
      return 'The request body is not valid JSON.';
    case 'entity.too.large':
      return 'The request body is too large.';
    default:
      return 'The request body could not be read.';
  }
}

/**
 * The one place errors become responses: every error before the first byte is a JSON
 * {@link ApiErrorBody}; an unexpected one is a `500` whose details stay in the log. Once a stream's
 * headers are out, errors travel in-band as frames, so here the response is only ended.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(ApiExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request & { id?: unknown }>();
    if (response.headersSent) {
      this.logger.error({ err: exception }, 'error after the response started');
      if (!response.writableEnded) response.end();
      return;
    }
    const body = this.toBody(exception);
    if (request.id !== undefined) body.requestId = String(request.id);
    if (exception instanceof ApiException) {
      for (const [name, value] of Object.entries(exception.headers))
        response.setHeader(name, value);
    }
    response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ApiErrorBody {
    if (exception instanceof ApiException) {
      const { statusCode, code, problems } = exception;
      return { statusCode, code, message: exception.message, ...(problems ? { problems } : {}) };
    }
    if (isBodyParserError(exception)) {
      return {
        statusCode: exception.status,
        code:
          exception.status === HttpStatus.BAD_REQUEST ? ErrorCodes.invalidRequest : 'http_error',
        message: describeBodyParserError(exception),
      };
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      // Nest maps body-parser's JSON syntax errors to a plain 400 before they reach this filter.
      if (statusCode === HttpStatus.BAD_REQUEST) {
        return {
          statusCode,
          code: ErrorCodes.invalidRequest,
          message: `The request body is not valid JSON: ${exception.message}`,
        };
      }
      return { statusCode, code: 'http_error', message: exception.message };
    }
    this.logger.error({ err: exception }, 'unexpected error');
    return {
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      code: ErrorCodes.internalError,
      message: 'Something went wrong on the server.',
    };
  }
}
