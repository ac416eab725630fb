import { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import { decideRetry, type RetryContext } from './retry-decision';
import { UpstreamEndedEarlyError } from './upstream-failure';

/** An error as the openai SDK raises it for an HTTP status, with the response's headers. */
function statusError(status: number, headers: Record<string, string> = {}): APIError {
  const body = { message: 'upstream body: secret details', type: 'server_error' };
  return APIError.generate(status, { error: body }, undefined, new Headers(headers));
}

const context: RetryContext = {
  retriesSoFar: 0,
  maxRetries: 2,
  baseDelayMs: 500,
  maxDelayMs: 8000,
  budgetMs: 60_000,
  nowMs: Date.parse('2025-06-01T12:00:00Z'),
  random: 0.5,
};

describe('decideRetry', () => {
  it.each([429, 500, 502, 503, 504])('retries an upstream %i', (status) => {
    expect(decideRetry(statusError(status), context)).toEqual({
      retry: true,
      delayMs: 250,
      cause: status,
    });
  });

  it.each([
    ['APIConnectionError', new APIConnectionError({ message: 'Connection error.' })],
    ['a fetch TypeError', new TypeError('fetch failed')],
    ['a body cut mid-read', new TypeError('terminated')],
    ['a reply that ended without a finish', new UpstreamEndedEarlyError()],
  ])('retries a connection that failed: %s', (_, error) => {
    expect(decideRetry(error, context)).toMatchObject({ retry: true, cause: 'connection-failed' });
  });

  it.each([400, 401, 403, 404, 422])('never retries an upstream %i', (status) => {
    expect(decideRetry(statusError(status), context)).toEqual({ retry: false });
  });

  it.each([
    ['a malformed reply', new SyntaxError('Unexpected token')],
    ['an abort', new APIUserAbortError()],
    ['an unknown error', new Error('boom')],
    ['a non-error', 'boom'],
  ])('never retries %s', (_, error) => {
    expect(decideRetry(error, context)).toEqual({ retry: false });
  });

  it('stops once maxRetries retries have been made', () => {
    expect(decideRetry(statusError(500), { ...context, retriesSoFar: 1 })).toMatchObject({
      retry: true,
    });
    expect(decideRetry(statusError(500), { ...context, retriesSoFar: 2 })).toEqual({
      retry: false,
    });
    expect(decideRetry(statusError(500), { ...context, maxRetries: 0 })).toEqual({ retry: false });
  });

  it('backs off exponentially with full jitter, capped at maxDelayMs', () => {
    const delay = (retriesSoFar: number, random: number) => {
      const decision = decideRetry(statusError(500), {
        ...context,
        maxRetries: 10,
        retriesSoFar,
        random,
      });
      return decision.retry ? decision.delayMs : undefined;
    };
    // The ceiling doubles: 500, 1000, 2000, 4000, 8000, then stays at the cap.
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => delay(n, 0.999))).toEqual([
      499, 999, 1998, 3996, 7992, 7992, 7992,
    ]);
    // Anywhere from zero up to the ceiling, so many replies failing together spread apart.
    expect(delay(2, 0)).toBe(0);
    expect(delay(2, 0.25)).toBe(500);
  });

  it('waits as long as the upstream Retry-After asks, in seconds or as a date, without jitter', () => {
    expect(decideRetry(statusError(429, { 'retry-after': '3' }), context)).toEqual({
      retry: true,
      delayMs: 3000,
      cause: 429,
    });
    const date = new Date(context.nowMs + 1500).toUTCString();
    expect(decideRetry(statusError(503, { 'retry-after': date }), context)).toMatchObject({
      delayMs: 1000, // HTTP dates have whole seconds: 12:00:01.5 is sent as 12:00:01.
    });
  });

  it('gives up, rather than wait past the first-token deadline, when Retry-After is too long', () => {
    const rateLimited = statusError(429, { 'retry-after': '5' });
    expect(decideRetry(rateLimited, { ...context, budgetMs: 4999 })).toEqual({ retry: false });
    expect(decideRetry(rateLimited, { ...context, budgetMs: 5001 })).toMatchObject({
      retry: true,
      delayMs: 5000,
    });
  });

  it('gives up when even the backoff would outlast the first-token deadline', () => {
    expect(decideRetry(statusError(500), { ...context, budgetMs: 100 })).toEqual({ retry: false });
  });
});
