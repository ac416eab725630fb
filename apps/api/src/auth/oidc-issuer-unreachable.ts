import { AuthFailure } from './auth-failure';

/**
 * The refusal when the issuer's discovery document or keys could not be fetched; the reason names
 * the request and the network's own words (`ECONNREFUSED`, a timeout, an HTTP status) for the log.
 */
export function issuerUnreachable(request: 'discovery' | 'JWKS', error: unknown): AuthFailure {
  return new AuthFailure(`issuer unreachable: ${request} request failed: ${describe(error)}`);
}

/** Read by shape, not `instanceof`: fetch's errors come from Node's realm, not the caller's. */
interface ErrorLike {
  name: string;
  message: string;
  cause?: unknown;
}

function isErrorLike(value: unknown): value is ErrorLike {
  if (typeof value !== 'object' || value === null) return false;
  const { name, message } = value as Partial<ErrorLike>;
  return typeof name === 'string' && typeof message === 'string';
}

function describe(error: unknown): string {
  if (!isErrorLike(error)) return String(error);
  // AbortSignal.timeout() rejects fetch with a DOMException named TimeoutError.
  if (error.name === 'TimeoutError') return 'timed out';
  // fetch() says only "fetch failed"; what failed (refused, DNS, TLS) is in its cause.
  return isErrorLike(error.cause) ? `${error.message} (${error.cause.message})` : error.message;
}
