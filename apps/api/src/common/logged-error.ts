import { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import { stdSerializers } from 'pino';

/** What a log line keeps of an upstream's error: what identifies the failure, never its payload. */
export interface LoggedUpstreamError {
  type: string;
  message: string;
  /** The upstream's HTTP status; none for an error sent inside a stream. */
  status?: number;
  /** The upstream's own error code and type (`invalid_api_key`, `server_error`). */
  code?: string;
  errorType?: string;
  /** The upstream's `x-request-id`, which its operator can look up. */
  upstreamRequestId?: string;
}

/**
 * pino's `err` serializer: an error as pino shows it, except an upstream's (`openai`'s `APIError`),
 * whose message, body and headers are dropped. The upstream writes those, and they may echo the
 * prompt, account details or the key we sent (a 401 that quotes it). Status, code and request id
 * are what is needed to follow it up with the provider.
 */
export function loggedError(value: unknown): unknown {
  // pino-http hands its serializers the error already serialized, the original as `raw`;
  // the logger outside a request hands over the error itself.
  const error = value instanceof Error ? value : (value as { raw?: unknown } | null)?.raw;
  if (error instanceof APIError) return upstreamError(error);
  return value instanceof Error ? stdSerializers.err(value) : value;
}

function upstreamError(
  error: APIError,
): LoggedUpstreamError | ReturnType<typeof stdSerializers.err> {
  // The SDK's own failures (no connection, aborted) carry its message and the socket's cause, no body.
  if (error instanceof APIConnectionError || error instanceof APIUserAbortError) {
    return stdSerializers.err(error);
  }
  const logged: LoggedUpstreamError = {
    type: error.constructor.name,
    message:
      error.status === undefined
        ? 'the upstream sent an error inside its stream'
        : `the upstream answered ${error.status}`,
  };
  if (error.status !== undefined) logged.status = error.status;
  if (typeof error.code === 'string') logged.code = error.code;
  if (typeof error.type === 'string') logged.errorType = error.type;
  if (typeof error.requestID === 'string') logged.upstreamRequestId = error.requestID;
  return logged;
}
