import { applyDecorators } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiHeader,
  ApiOkResponse,
  ApiProduces,
  ApiResponse,
  ApiSecurity,
} from '@nestjs/swagger';
import {
  HEARTBEAT_HEADER,
  LAST_EVENT_ID_HEADER,
  REQUEST_ID_HEADER,
  STREAM_ID_HEADER,
} from '@tokenstream/stream-contracts';
import { schemaRef } from './openapi-schemas';

/** Names of the security schemes in the document (see `createOpenApiDocument`). */
export const SecuritySchemes = { bearer: 'bearer', apiKey: 'apiKey' } as const;

/** Error bodies are JSON even on routes that otherwise produce `text/event-stream`. */
const json = (body: 'ApiErrorBody' | 'OpenAiErrorBody') => ({
  'application/json': { schema: schemaRef(body) },
});

const ERROR_WHEN: Record<number, string> = {
  400: 'The request is invalid (`invalid_request`, `unknown_model`); `problems` names each problem.',
  401: 'No valid credentials (`unauthenticated`), with `WWW-Authenticate`.',
  403: 'This caller may not use the model it asked for (`model_not_allowed`).',
  404: 'No such stream (`stream_not_found`): it never existed, is not yours, or has expired.',
  413: 'The body is larger than 1 MB (`http_error`).',
  429: 'The caller reached one of its limits (`rate_limited`); `Retry-After` says when to retry.',
  503: 'The instance is shutting down (`server_shutting_down`); `Retry-After` says when to retry.',
};

/**
 * A route behind authentication: a bearer token (OIDC or API key) or an `X-API-Key` header, and a
 * `401` in the route's error shape otherwise.
 */
export const ApiAuthenticated = (errorBody: 'ApiErrorBody' | 'OpenAiErrorBody' = 'ApiErrorBody') =>
  applyDecorators(
    ApiBearerAuth(SecuritySchemes.bearer),
    ApiSecurity(SecuritySchemes.apiKey),
    ApiResponse({ status: 401, description: ERROR_WHEN[401], content: json(errorBody) }),
  );

/** The errors a route may answer before any body, each an `ApiErrorBody`. */
export const ApiErrors = (...statuses: (keyof typeof ERROR_WHEN & number)[]) =>
  applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: ERROR_WHEN[status], content: json('ApiErrorBody') }),
    ),
  );

/** The same errors in OpenAI's shape, for the OpenAI-compatible routes. */
export const ApiOpenAiErrors = (...statuses: number[]) =>
  applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: `Refused, in OpenAI's error shape (as the native routes' ${status}).`,
        content: json('OpenAiErrorBody'),
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
      headers: {
        [STREAM_ID_HEADER]: {
          description: "The stream's id, as in the `start` frame.",
          schema: { type: 'string' },
        },
        [HEARTBEAT_HEADER]: {
          description: 'The keep-alive interval in ms.',
          schema: { type: 'integer' },
        },
        [REQUEST_ID_HEADER]: {
          description: "The request's id in the api's logs.",
          schema: { type: 'string' },
        },
      },
    }),
  );

/** The `Last-Event-ID` request header: resume after this frame. */
export const ApiLastEventIdHeader = () =>
  ApiHeader({
    name: LAST_EVENT_ID_HEADER,
    required: false,
    description: 'Resume after this frame id (a whole number); absent means from the start.',
  });
