import type { ErrorCode, RequestProblem } from '@tokenstream/stream-contracts';

/**
 * Why a chat stream could not be had, as a user and the code that retries see it:
 * - `unauthenticated`: the credential or the SSO session is gone (a `401`, a redirect, a login page
 *   where the stream should be, or a token provider that threw);
 * - `rejected`: the api refused the request (a 4xx): sending it again will not help;
 * - `unavailable`: the api or a proxy in front of it failed (a 5xx): it may work in a moment;
 * - `not-a-stream`: a 2xx that is not `text/event-stream` (a misconfigured proxy or route);
 * - `network`: the request never got an answer (offline, DNS, connection refused);
 * - `protocol`: the stream broke the wire protocol (malformed SSE or frame JSON);
 * - `interrupted`: the stream broke off before its last frame and resuming did not bring it back;
 * - `gone`: the reply to resume is no longer on the api (unknown, expired, or not this caller's).
 */
export type ChatClientErrorKind =
  | 'unauthenticated'
  | 'rejected'
  | 'unavailable'
  | 'not-a-stream'
  | 'network'
  | 'protocol'
  | 'interrupted'
  | 'gone';

/** The fields of a {@link ChatClientError}. */
export interface ChatClientErrorInit {
  kind: ChatClientErrorKind;
  /** A sentence safe to show a user: never a stack, a raw body or an upstream's payload. */
  message: string;
  /** Whether trying again (resuming, or sending the request again later) may succeed. */
  retryable: boolean;
  /** The HTTP status, when the failure is an HTTP answer. */
  status?: number;
  /** The api's stable error code, when its JSON error body named one. */
  code?: ErrorCode | 'http_error';
  /** For `invalid_request`: every problem the api found. */
  problems?: readonly RequestProblem[];
  /** The api's request id, to quote when reporting the problem. */
  requestId?: string;
  /** The api's `Retry-After`, in seconds, when it sent one. */
  retryAfterSeconds?: number;
  /** The underlying error, for logs. */
  cause?: unknown;
}

/**
 * A chat stream that failed outside the protocol's own `error` frames, typed to branch on. An
 * `error` frame is not one of these: it is a reply's last frame, delivered like any other.
 */
export class ChatClientError extends Error {
  override readonly name = 'ChatClientError';
  readonly kind: ChatClientErrorKind;
  readonly retryable: boolean;
  readonly status?: number;
  readonly code?: ErrorCode | 'http_error';
  readonly problems?: readonly RequestProblem[];
  readonly requestId?: string;
  readonly retryAfterSeconds?: number;

  constructor(init: ChatClientErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.retryable = init.retryable;
    this.status = init.status;
    this.code = init.code;
    this.problems = init.problems;
    this.requestId = init.requestId;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

/** `fetch` rejected: offline, DNS, connection refused. */
export function networkError(cause?: unknown): ChatClientError {
  return new ChatClientError({
    kind: 'network',
    retryable: true,
    cause,
    message: 'Could not reach the chat service. Check your connection and try again.',
  });
}

/** The stream broke off before its last frame (and, after resuming, could not be picked up again). */
export function interruptedError(cause?: unknown): ChatClientError {
  return new ChatClientError({
    kind: 'interrupted',
    retryable: true,
    cause,
    message: 'The connection was lost before the reply finished.',
  });
}

/** The credential or the SSO session is gone: a 401, a redirect to a login page, a proxy's 403 page. */
export function unauthenticatedError(status?: number, cause?: unknown): ChatClientError {
  return new ChatClientError({
    kind: 'unauthenticated',
    status: status || undefined,
    retryable: false,
    cause,
    message: 'Your session has expired. Sign in again to continue.',
  });
}

/** A resume found no stream: it never existed here, or it expired (`404 stream_not_found`). */
export function goneError(status: number, requestId?: string): ChatClientError {
  return new ChatClientError({
    kind: 'gone',
    status,
    code: 'stream_not_found',
    retryable: false,
    requestId,
    message: 'This reply is no longer available.',
  });
}
