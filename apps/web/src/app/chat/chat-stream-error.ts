import { ErrorCode, RequestProblem } from '@tokenstream/stream-contracts';

/**
 * What went wrong with a chat stream, as a user and the code that retries see it:
 * - `unauthenticated`: the SSO session is gone (a 401, or a login page where the stream should be);
 * - `rejected`: the api refused the request (a 4xx): retrying the same request will not help;
 * - `unavailable`: the api or a proxy in front of it failed (a 5xx): it may work in a moment;
 * - `not-a-stream`: a 2xx that is not `text/event-stream` (a misconfigured proxy or route);
 * - `network`: the request never got an answer (offline, DNS, connection refused);
 * - `protocol`: the stream broke the wire protocol (malformed SSE or frame JSON);
 * - `interrupted`: the stream ended, or the connection dropped, before its last frame, and
 *   reconnecting did not bring it back;
 * - `gone`: the reply to resume no longer exists on the server (unknown or expired: a `404`).
 */
export type ChatStreamErrorKind =
  | 'unauthenticated'
  | 'rejected'
  | 'unavailable'
  | 'not-a-stream'
  | 'network'
  | 'protocol'
  | 'interrupted'
  | 'gone';

/** The fields of a {@link ChatStreamError}. */
export interface ChatStreamErrorInit {
  kind: ChatStreamErrorKind;
  /** A sentence safe to show a user: never a stack, a raw body or an upstream's payload. */
  message: string;
  /** Whether sending the same request again may succeed. */
  retryable: boolean;
  /** The HTTP status, when the failure is an HTTP answer. */
  status?: number;
  /** The api's stable error code, when its JSON error body named one. */
  code?: ErrorCode | 'http_error';
  /** For `invalid_request`: every problem the api found. */
  problems?: readonly RequestProblem[];
  /** The api's request id, for a user to quote when reporting the problem. */
  requestId?: string;
  /** The underlying error, for logs. */
  cause?: unknown;
}

/** A chat stream that failed outside the protocol's own `error` frames, typed for the UI to branch on. */
export class ChatStreamError extends Error {
  override readonly name = 'ChatStreamError';
  readonly kind: ChatStreamErrorKind;
  readonly retryable: boolean;
  readonly status?: number;
  readonly code?: ErrorCode | 'http_error';
  readonly problems?: readonly RequestProblem[];
  readonly requestId?: string;

  constructor(init: ChatStreamErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.retryable = init.retryable;
    this.status = init.status;
    this.code = init.code;
    this.problems = init.problems;
    this.requestId = init.requestId;
  }
}

/** `fetch` rejected: offline, DNS, connection refused. */
export function networkError(cause?: unknown): ChatStreamError {
  return new ChatStreamError({
    kind: 'network',
    retryable: true,
    cause,
    message: 'Could not reach the chat service. Check your connection and try again.',
  });
}

/** The stream broke off before its last frame (and, after a resume, could not be picked up again). */
export function interruptedError(cause?: unknown): ChatStreamError {
  return new ChatStreamError({
    kind: 'interrupted',
    retryable: true,
    cause,
    message: 'The connection was lost before the reply finished.',
  });
}

/** The SSO session is gone: a 401, a redirect to a login page, a proxy's 403 page. */
export function unauthenticatedError(status: number): ChatStreamError {
  return new ChatStreamError({
    kind: 'unauthenticated',
    status: status || undefined,
    retryable: false,
    message: 'Your session has expired. Sign in again to continue.',
  });
}

/** A resume found no stream: it never existed here, or it expired (`404 stream_not_found`). */
export function goneError(status: number, requestId?: string): ChatStreamError {
  return new ChatStreamError({
    kind: 'gone',
    status,
    code: 'stream_not_found',
    retryable: false,
    requestId,
    message: 'This reply is no longer available.',
  });
}
