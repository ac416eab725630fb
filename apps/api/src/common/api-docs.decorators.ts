import { applyDecorators } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiHeader,
  ApiOkResponse,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiSecurity,
} from '@nestjs/swagger';
import { IDEMPOTENCY_KEY_HEADER, LAST_EVENT_ID_HEADER } from '@tokenstream/stream-contracts';
import { JSON_BODY_LIMIT_MB } from './json-body-parser';
import { schemaRef } from './openapi-schemas';
import { RATE_LIMIT_RESPONSE_HEADERS } from './rate-limit-response-headers';
import { STREAM_RESPONSE_HEADERS } from './stream-response-headers';

/** Names of the security schemes in the document (see `createOpenApiDocument`). */
export const SecuritySchemes = { bearer: 'bearer', apiKey: 'apiKey' } as const;

/** Error bodies are JSON even on routes that otherwise produce `text/event-stream`. */
const json = (body: 'ApiErrorBody' | 'OpenAiErrorBody') => ({
  'application/json': { schema: schemaRef(body) },
});

const ERROR_WHEN: Record<number, string> = {
  400: 'The request is invalid (`invalid_request`, `unknown_model`); `problems` names each problem.',
  401: 'No valid credentials (`unauthenticated`), with `WWW-Authenticate`.',
  403:
    'This caller may not use the model it asked for (`model_not_allowed`), or the route is for ' +
    'admins (`forbidden`).',
  404:
    'No such stream (`stream_not_found`), conversation (`conversation_not_found`) or key ' +
    '(`key_not_found`): it never existed, is not yours, or has expired or been deleted.',
  409:
    'The `Idempotency-Key` was used before with a different request (`idempotency_conflict`), or ' +
    'a key of that name is in use (`key_name_taken`).',
  413: `The body is larger than ${JSON_BODY_LIMIT_MB} MB (\`http_error\`).`,
  429:
    'The caller reached one of its limits (`rate_limited`; `Retry-After` says when to retry), or ' +
    'is at or over one of its budgets in money (`budget_exceeded`).',
  503:
    'The instance is shutting down (`server_shutting_down`), holds as many replies as it can ' +
    '(`server_busy`), or cannot reach its stream store (`store_unavailable`) or its database ' +
    '(`database_unavailable`); `Retry-After` says when to retry.',
};

/** `Retry-After`, on the errors that say when to try again. */
const retryAfter = {
  'Retry-After': {
    description:
      "When to try again, in whole seconds (with tokenstream's own limits and shutdown).",
    schema: { type: 'integer' },
  },
};

/** When each status is answered on the OpenAI-compatible routes, with OpenAI's `code`. */
const OPENAI_ERROR_WHEN = {
  400:
    'A parameter tokenstream checks is invalid (`type: invalid_request_error`, `code: ' +
    'invalid_value`): `param` names it; or no body arrived (`invalid_type`), or it is not JSON ' +
    '(`invalid_json`). Parameters it passes through are judged by the upstream.',
  401: 'No valid credentials (`invalid_api_key`), with `WWW-Authenticate`.',
  403: 'This key may not use the model it asked for (`model_not_allowed`, `param: model`).',
  404:
    'No such model (`model_not_found`, `param: model`), as OpenAI answers it; or no route at this ' +
    'path (`code: null`).',
  409: 'The `Idempotency-Key` was used before with a different request (`idempotency_conflict`).',
  413: `The body is larger than ${JSON_BODY_LIMIT_MB} MB (\`request_too_large\`).`,
  415: 'The body is in a charset or content encoding the api cannot read (`unsupported_body_encoding`).',
  429:
    'The caller reached one of its limits (`rate_limit_exceeded`), or, without `stream`, the ' +
    "upstream did (`upstream_rate_limited`); `type: requests`. A refusal by the caller's own " +
    'limits carries the `x-ratelimit-*` headers, none left of the limit that refused; one by a ' +
    "model's own limits, or by the bounds on readers, carries `Retry-After` alone. Or the caller " +
    'is at or over one of its budgets in money (`type: insufficient_quota`, `code: budget_exceeded`).',
  502:
    'Without `stream` only: the upstream failed (`upstream_error`, `upstream_unavailable`, ' +
    '`upstream_auth_failed`). A streamed reply reports it in-band instead.',
  503: 'The instance is shutting down (`server_shutting_down`).',
  504: 'Without `stream` only: the upstream took too long (`upstream_timeout`).',
} as const;

/** A status {@link ApiOpenAiErrors} can describe. */
type OpenAiErrorStatus = keyof typeof OPENAI_ERROR_WHEN;

/**
 * A route behind authentication: a bearer token (OIDC or API key) or an `X-API-Key` header, and a
 * `401` in the route's error shape otherwise.
 */
export const ApiAuthenticated = (errorBody: 'ApiErrorBody' | 'OpenAiErrorBody' = 'ApiErrorBody') =>
  applyDecorators(
    ApiBearerAuth(SecuritySchemes.bearer),
    ApiSecurity(SecuritySchemes.apiKey),
    ApiResponse({
      status: 401,
      description: errorBody === 'OpenAiErrorBody' ? OPENAI_ERROR_WHEN[401] : ERROR_WHEN[401],
      content: json(errorBody),
    }),
  );

/** `?from=&to=` of a report: ISO dates or date-times, the current UTC month unless told. */
export const ApiReportPeriod = () =>
  applyDecorators(
    ApiQuery({
      name: 'from',
      required: false,
      description: 'ISO date or date-time (inclusive); the current UTC month unless told.',
    }),
    ApiQuery({ name: 'to', required: false, description: 'ISO date or date-time (exclusive).' }),
  );

/** The errors a route may answer before any body, each an `ApiErrorBody`. */
export const ApiErrors = (...statuses: (keyof typeof ERROR_WHEN & number)[]) =>
  applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: ERROR_WHEN[status], content: json('ApiErrorBody') }),
    ),
  );

/** The errors an OpenAI-compatible route may answer before any body, each an `OpenAiErrorBody`. */
export const ApiOpenAiErrors = (...statuses: OpenAiErrorStatus[]) =>
  applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: OPENAI_ERROR_WHEN[status],
        content: json('OpenAiErrorBody'),
        ...(status === 429 ? { headers: { ...retryAfter, ...RATE_LIMIT_RESPONSE_HEADERS } } : {}),
        ...(status === 503 ? { headers: retryAfter } : {}),
      }),
    ),
  );

/** A `200` answered as Server-Sent Events whose `data` is a `StreamFrame`. */
export const ApiFrameStream = () =>
  applyDecorators(
    ApiProduces('text/event-stream'),
    ApiOkResponse({
      description:
        'Server-Sent Events (`text/event-stream`): each event has an `id:` (its position, to resume ' +
        'after with `Last-Event-ID`) and one `data:` line holding a `StreamFrame` ' +
        '(`#/components/schemas/StreamFrame`) as JSON. Exactly one `finish` or `error` frame ends ' +
        'the stream; `: keep-alive` comments come while it is quiet.',
      content: { 'text/event-stream': { schema: schemaRef('StreamFrame') } },
      headers: STREAM_RESPONSE_HEADERS,
    }),
  );

/** The `Last-Event-ID` request header: resume after this frame. */
export const ApiLastEventIdHeader = () =>
  ApiHeader({
    name: LAST_EVENT_ID_HEADER,
    required: false,
    description: 'Resume after this frame id (a whole number); absent means from the start.',
  });

/** The optional `Idempotency-Key` request header of the routes that start a reply. */
export function IdempotencyKeyHeader(): MethodDecorator {
  return ApiHeader({
    name: IDEMPOTENCY_KEY_HEADER,
    required: false,
    schema: { type: 'string', minLength: 1, maxLength: 255 },
    description:
      'Names one prompt (1 to 255 visible ASCII characters, e.g. a UUID). Sent again by the same caller ' +
      "with the same request within the reply's retention, on any instance, it gets the same reply from " +
      'its first frame instead of a second generation (joining it while it generates); with a different ' +
      'request it is a `409`.',
  });
}
