import { forwardAbort } from './forward-abort';
import { UpstreamTimeoutError } from './upstream-timeout-error';

/** One try at an upstream request under a first-token limit (see {@link firstTokenLimit}). */
export interface FirstTokenLimit {
  /** Aborted with the caller's signal, or with an `UpstreamTimeoutError` once the limit passes. */
  readonly signal: AbortSignal;
  /** Some of the answer came: the limit is met. */
  answered(): void;
  /** Stops the clock and lets go of the caller's signal; to be called on every way out. */
  release(): void;
}

/**
 * A signal for one try at an upstream request: aborted with `signal`, or with an
 * `UpstreamTimeoutError` once `limitMs` passes before any of the answer came (never, without a
 * limit), so that a caller with somewhere else to go tries it within its own limit.
 */
export function firstTokenLimit(signal: AbortSignal, limitMs: number | undefined): FirstTokenLimit {
  const attempt = new AbortController();
  const unlink = forwardAbort(signal, attempt);
  const timer =
    limitMs === undefined
      ? undefined
      : setTimeout(() => attempt.abort(new UpstreamTimeoutError('first-token', limitMs)), limitMs);
  return {
    signal: attempt.signal,
    answered: () => clearTimeout(timer),
    release: () => {
      clearTimeout(timer);
      unlink();
    },
  };
}
