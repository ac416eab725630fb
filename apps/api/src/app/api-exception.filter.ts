import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { toOpenAiErrorResponse } from '../openai-compat/openai-error-response';
import { isOpenAiPath } from '../openai-compat/openai-paths';
import { toApiErrorResponse } from '../common/api-error-response';
import { RequestBodyError } from '../common/request-body-error';

/**
 * The one place errors become responses, for every path (an unknown one, a body the parser refused,
 * and a guard's `401` included): a JSON `ApiErrorBody` on the native routes, OpenAI's
 * `{ error: { … } }` under `/v1`, where OpenAI's SDKs read `error.message`. An unexpected error is
 * a `500` whose details stay in the log. Once a stream's headers are out, errors travel in-band as
 * frames, so here the response is only ended.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(ApiExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request & { id?: unknown }>();
    if (response.headersSent) {
      this.logger.error(
        { err: exception, requestId: request.id },
        'error after the response started',
      );
      if (!response.writableEnded) response.end();
      return;
    }
    // In case a body-parser error arrives unwrapped (a parser added without `useJsonBodyParser`).
    const error = RequestBodyError.from(exception) ?? exception;
    if (!(error instanceof HttpException))
      this.logger.error({ err: exception, requestId: request.id }, 'unexpected error');
    const { status, body, headers } = isOpenAiPath(request.path)
      ? toOpenAiErrorResponse(error)
      : toApiErrorResponse(error, request.id === undefined ? undefined : String(request.id));
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.status(status).json(body);
  }
}
