import { APIConnectionError, APIError } from 'openai';
import { ErrorCodes, type ErrorFrame } from '@tokenstream/stream-contracts';
import { UpstreamTimeoutError, type UpstreamTimeoutKind } from './upstream-timeout-error';

/** What a user is told for each time limit: what happened, and that trying again may help. */
const TIMEOUT_MESSAGES: Readonly<Record<UpstreamTimeoutKind, string>> = {
  'first-token': 'The model took too long to start answering. Please try again.',
  idle: 'The model stopped sending its reply partway through. Please try again.',
  total: 'The model took too long to finish its reply. Please try again.',
};

/** A reply that ended without the upstream saying why: treated as a broken connection. */
export class UpstreamEndedEarlyError extends Error {
  constructor() {
    super('The upstream stream ended without a finish reason');
    this.name = 'UpstreamEndedEarlyError';
  }
}

/** Whether a failure was caused by the upstream's connection breaking (undici's own errors). */
export function isBrokenConnection(error: unknown): boolean {
  if (error instanceof APIConnectionError || error instanceof UpstreamEndedEarlyError) return true;
  if (typeof error !== 'object' || error === null) return false;
  // Read by shape, not `instanceof`: undici's errors come from Node's own realm, which is not the
  // realm of a Jest sandbox (nor of any other vm context the api may run in).
  const { name, message, code } = error as { name?: unknown; message?: unknown; code?: unknown };
  // undici reports a body cut mid-read as `TypeError: terminated`, with the socket error as cause.
  if (
    name === 'TypeError' &&
    typeof message === 'string' &&
    /terminated|fetch failed|other side closed/i.test(message)
  ) {
    return true;
  }
  return (
    typeof code === 'string' && /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|UND_ERR_)/.test(code)
  );
}

/**
 * Turns whatever a provider threw into the `error` frame a user sees: a stable code, a message safe
 * to show (never the upstream's raw body or a stack) and whether trying again may help.
 */
export function toErrorFrame(error: unknown): ErrorFrame {
  const frame = (code: ErrorFrame['code'], message: string, retryable: boolean): ErrorFrame => ({
    type: 'error',
    code,
    message,
    retryable,
  });
  if (error instanceof UpstreamTimeoutError) {
    return frame(ErrorCodes.upstreamTimeout, TIMEOUT_MESSAGES[error.kind], true);
  }
  if (isBrokenConnection(error)) {
    return frame(
      ErrorCodes.upstreamUnavailable,
      'The connection to the model provider was lost. Please try again.',
      true,
    );
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    if (status === 401 || status === 403) {
      return frame(
        ErrorCodes.upstreamAuthFailed,
        'The model provider refused the server’s credentials. An administrator needs to check its API key.',
        false,
      );
    }
    if (status === 429) {
      return frame(
        ErrorCodes.upstreamRateLimited,
        'The model provider is rate-limiting requests right now. Please try again in a moment.',
        true,
      );
    }
    if (status === 502 || status === 503 || status === 504) {
      return frame(
        ErrorCodes.upstreamUnavailable,
        'The model provider is unavailable right now. Please try again in a moment.',
        true,
      );
    }
    if (status >= 500) {
      return frame(
        ErrorCodes.upstreamError,
        'The model provider failed to answer. Please try again.',
        true,
      );
    }
    return frame(ErrorCodes.upstreamError, 'The model provider refused the request.', false);
  }
  if (error instanceof SyntaxError) {
    return frame(
      ErrorCodes.upstreamError,
      'The model provider sent a reply that could not be read. Please try again.',
      true,
    );
  }
  return frame(ErrorCodes.internalError, 'Something went wrong while generating the reply.', true);
}
