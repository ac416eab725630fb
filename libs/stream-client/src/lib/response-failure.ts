import {
  EVENT_STREAM_CONTENT_TYPE,
  REQUEST_ID_HEADER,
  type ApiErrorBody,
  type RequestProblem,
} from '@tokenstream/stream-contracts';
import { ChatClientError, goneError, unauthenticatedError } from './chat-client-error';

/**
 * What is wrong with the answer to a stream request, checked from its status and media type before a
 * byte is parsed; `undefined` means "a stream: read it". `resuming` marks the answers of the routes
 * about an existing stream (`GET /api/streams/:id/events`, `DELETE /api/streams/:id`), where a `404`
 * means the reply is gone (unknown or expired).
 */
export async function failureOf(
  response: Response,
  { resuming = false }: { resuming?: boolean } = {},
): Promise<ChatClientError | undefined> {
  const { status } = response;
  const mediaType = mediaTypeOf(response);
  const requestId = response.headers.get(REQUEST_ID_HEADER) ?? undefined;

  // The api never redirects: a redirect is an SSO proxy sending us to its login page (a browser
  // shows it as an opaque redirect, Node as the 3xx itself).
  if (response.type === 'opaqueredirect' || status === 401 || (status >= 300 && status < 400)) {
    return unauthenticatedError(status);
  }

  if (response.ok) {
    if (mediaType === EVENT_STREAM_CONTENT_TYPE && response.body) return undefined;
    // A login page where the stream should be: the SSO proxy redirected us (oauth2-proxy and the like).
    if (response.redirected || mediaType === 'text/html') return unauthenticatedError(status);
    return new ChatClientError({
      kind: 'not-a-stream',
      status,
      retryable: false,
      requestId,
      message: 'The server answered with something other than a reply stream.',
    });
  }

  const retryAfterSeconds = retryAfterOf(response);
  const body = await apiErrorBodyOf(response, mediaType);
  // `stream_not_found`, or any 404 of a stream's route: either way there is nothing to pick up.
  if (resuming && status === 404) return goneError(status, body?.requestId ?? requestId);
  const retryable = status >= 500 || status === 408 || status === 429;
  if (body) {
    return new ChatClientError({
      kind: status >= 500 ? 'unavailable' : 'rejected',
      status,
      code: body.code,
      problems: body.problems,
      retryable,
      retryAfterSeconds,
      requestId: body.requestId ?? requestId,
      message: body.message,
    });
  }
  // Not the api's JSON: a proxy's own page. oauth2-proxy answers an expired session with a 403 page.
  if (status === 403 || (response.redirected && mediaType === 'text/html')) {
    return unauthenticatedError(status);
  }
  if (status >= 500) {
    return new ChatClientError({
      kind: 'unavailable',
      status,
      retryable,
      retryAfterSeconds,
      requestId,
      message: `The chat service is unavailable right now (HTTP ${status}). Try again in a moment.`,
    });
  }
  return new ChatClientError({
    kind: 'rejected',
    status,
    retryable,
    retryAfterSeconds,
    requestId,
    message: `The chat service refused the request (HTTP ${status}).`,
  });
}

/** Cancels a body that will not be read, so its connection is released. */
export function discardBody(response: Response): void {
  if (response.body && !response.bodyUsed) response.body.cancel().catch(() => undefined);
}

function mediaTypeOf(response: Response): string {
  const contentType = response.headers.get('Content-Type') ?? '';
  return contentType.split(';')[0].trim().toLowerCase();
}

/** `Retry-After` in seconds (the api sends seconds, never a date). */
function retryAfterOf(response: Response): number | undefined {
  const seconds = Number(response.headers.get('Retry-After') ?? Number.NaN);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

/** The api's {@link ApiErrorBody}, or `undefined` for anything else (HTML, text, foreign JSON). */
async function apiErrorBodyOf(
  response: Response,
  mediaType: string,
): Promise<ApiErrorBody | undefined> {
  if (!mediaType.endsWith('json')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(await response.text());
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const body = value as Partial<Record<keyof ApiErrorBody, unknown>>;
  if (typeof body.code !== 'string' || typeof body.message !== 'string' || !body.message) {
    return undefined;
  }
  return {
    statusCode: response.status,
    code: body.code as ApiErrorBody['code'],
    message: body.message,
    problems: Array.isArray(body.problems) ? body.problems.filter(isProblem) : undefined,
    requestId: typeof body.requestId === 'string' ? body.requestId : undefined,
  };
}

function isProblem(value: unknown): value is RequestProblem {
  if (typeof value !== 'object' || value === null) return false;
  const problem = value as Partial<Record<keyof RequestProblem, unknown>>;
  return typeof problem.path === 'string' && typeof problem.message === 'string';
}
