import { HttpException } from '@nestjs/common';
import { ErrorCodes } from '@tokenstream/stream-contracts';
import { ApiException } from '../common/api-exception';
import type { ErrorResponse } from '../common/error-response';
import { RequestBodyError } from '../common/request-body-error';
import { LimitExceededException } from '../limits/limit-exceeded';
import { OpenAiRequestError, type OpenAiErrorBody, type OpenAiErrorType } from './openai-error';
import { openAiRateLimitHeaders } from './openai-rate-limit-headers';

/** OpenAI's error `type` for a status. */
function typeFor(status: number): OpenAiErrorType {
  if (status === 429) return 'requests';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

function error(
  status: number,
  message: string,
  param: string | null,
  code: string | null,
  headers: Record<string, string> = {},
  type = typeFor(status),
): ErrorResponse<OpenAiErrorBody> {
  return { status, body: { error: { message, type, param, code } }, headers };
}

/**
 * An error as the OpenAI-compatible routes answer it, in OpenAI's shape
 * `{ error: { message, type, param, code } }`, with the statuses and codes OpenAI's SDKs map to
 * their error classes (an unknown model is a `404 model_not_found` there, where the native protocol
 * says `400 unknown_model`). Anything that is not an `HttpException` is a `500` whose details are
 * for the log only.
 */
export function toOpenAiErrorResponse(exception: unknown): ErrorResponse<OpenAiErrorBody> {
  if (exception instanceof OpenAiRequestError) {
    return error(400, exception.message, exception.param, exception.code);
  }
  if (exception instanceof RequestBodyError) {
    return error(exception.getStatus(), exception.message, null, exception.code);
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
      case ErrorCodes.rateLimited: {
        // A caller's own limit says where its limits stood, as OpenAI's 429s do.
        const standing = exception instanceof LimitExceededException && exception.standing;
        const withStanding = standing
          ? { ...headers, ...openAiRateLimitHeaders(standing) }
          : headers;
        return error(429, message, null, 'rate_limit_exceeded', withStanding);
      }
      case ErrorCodes.budgetExceeded:
        // OpenAI's answer to an account out of credit, which its SDKs do not retry.
        return error(429, message, null, code, headers, 'insufficient_quota');
      default:
        return error(statusCode, message, problems?.[0]?.path ?? null, code, headers);
    }
  }
  if (exception instanceof HttpException) {
    // Nest's own, such as the `404 Cannot GET /v1/nope` of a path no route serves.
    return error(exception.getStatus(), exception.message, null, null);
  }
  return error(500, 'Something went wrong on the server.', null, ErrorCodes.internalError);
}
