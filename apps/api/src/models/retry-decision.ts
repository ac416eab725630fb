import { APIError } from 'openai';
import { backoffDelay } from '../shared/backoff-delay';
import { retryAfterMs } from './retry-after';
import { isBrokenConnection } from './upstream-failure';

/** What, besides the failure itself, decides whether and when to try an upstream request again. */
export interface RetryContext {
  /** Retries already made for this reply (0 when the first attempt has just failed). */
  retriesSoFar: number;
  maxRetries: number;
  /** The first retry's backoff ceiling; the ceiling doubles with each retry, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Time left before the first token is due: a wait that long would only end in a timeout. */
  budgetMs: number;
  /** The wall clock (ms since the epoch), for a `Retry-After` given as an HTTP date. */
  nowMs: number;
  /** A number in [0, 1) that spreads the retries of many replies apart (full jitter). */
  random: number;
}

/** Why a failure may pass on retry: the upstream's HTTP status, or a connection that failed. */
export type RetryCause = number | 'connection-failed';

/** Try again after `delayMs`, or give up and surface the failure. */
export type RetryDecision = { retry: true; delayMs: number; cause: RetryCause } | { retry: false };

/** The cause when trying again may help: rate limits, server errors and broken connections. */
function retryableCause(error: unknown): RetryCause | undefined {
  if (isBrokenConnection(error)) return 'connection-failed';
  // 400, 401, 403, 404 and the other 4xx would fail the same way again.
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    if (status === 429 || (status >= 500 && status <= 599)) return status;
  }
  return undefined;
}

/**
 * Whether a request that failed before any text should be tried again, and after how long: the
 * upstream's `Retry-After` when it sent one, else exponential backoff with full jitter.
 */
export function decideRetry(error: unknown, context: RetryContext): RetryDecision {
  const cause = retryableCause(error);
  if (cause === undefined || context.retriesSoFar >= context.maxRetries) return { retry: false };
  const requested =
    error instanceof APIError ? retryAfterMs(error.headers, context.nowMs) : undefined;
  const backoff = { firstMs: context.baseDelayMs, maxMs: context.maxDelayMs };
  const delayMs = requested ?? backoffDelay(context.retriesSoFar, backoff, context.random);
  // Past the first-token deadline the wait would end in a timeout; the upstream's error says more.
  if (delayMs >= context.budgetMs) return { retry: false };
  return { retry: true, delayMs, cause };
}
