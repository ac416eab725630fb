import { Logger, type LoggerService } from '@nestjs/common';
import type { ProviderKind } from '@tokenstream/stream-contracts';
import type { AppConfig } from '../config/app-config';
import { abortableDelay } from './abortable-delay';
import { forwardAbort } from './forward-abort';
import { ModelEvent, ModelProvider, ModelRequest } from './model-provider';
import { ReplyDeadlines } from './reply-deadlines';
import { decideRetry } from './retry-decision';
import type { ApiMetrics } from '../metrics/api-metrics';

/** How upstream calls are bounded in time and retried: the `upstream` settings. */
export type UpstreamPolicy = AppConfig['upstream'];

/** What the decorator needs besides its policy; tests pass their own. */
export interface ResilienceDependencies {
  /** Where each retry is reported (Nest's `Logger` by default). */
  logger?: Pick<LoggerService, 'warn'>;
  /** The jitter source, a number in [0, 1) per call (`Math.random` by default). */
  random?: () => number;
  /** Where each retry is counted. */
  metrics?: Pick<ApiMetrics, 'upstreamRetried'>;
}

/**
 * Wraps any provider with the `upstream` time limits and retries. A reply too slow to start, silent
 * too long or too long overall is aborted upstream and ends with an {@link UpstreamTimeoutError}. A
 * connection error, 429 or 5xx before any text is retried with backoff; after text it is thrown as
 * is, since a new attempt would repeat what the user already has. When the caller's signal aborts,
 * the reply ends quietly, as {@link ModelProvider} requires.
 */
export class ResilientModelProvider extends ModelProvider {
  readonly kind: ProviderKind;
  private readonly logger: Pick<LoggerService, 'warn'>;
  private readonly random: () => number;
  private readonly metrics: Pick<ApiMetrics, 'upstreamRetried'> | undefined;

  constructor(
    private readonly inner: ModelProvider,
    private readonly policy: UpstreamPolicy,
    dependencies: ResilienceDependencies = {},
  ) {
    super();
    this.kind = inner.kind;
    this.logger = dependencies.logger ?? new Logger(ResilientModelProvider.name);
    this.random = dependencies.random ?? Math.random;
    this.metrics = dependencies.metrics;
  }

  async *stream(request: ModelRequest, signal: AbortSignal): AsyncIterable<ModelEvent> {
    if (signal.aborted) return;
    // Aborted by the caller or by a time limit; each attempt gets its own controller linked to it,
    // because the SDK leaves a listener on the signal it is given for every request it makes.
    const reply = new AbortController();
    const unlinkCaller = forwardAbort(signal, reply);
    const deadlines = new ReplyDeadlines(this.policy, (timeout) => reply.abort(timeout));
    let textSent = false;
    try {
      for (let retriesSoFar = 0; ; retriesSoFar += 1) {
        const attempt = new AbortController();
        const unlinkAttempt = forwardAbort(reply.signal, attempt);
        let failure: { error: unknown } | undefined;
        try {
          for await (const event of this.inner.stream(request, attempt.signal)) {
            // A chunk already read when a limit passed must not reach the user after the timeout.
            if (reply.signal.aborted) break;
            // Chunks come only once they carry some of the reply (see OpenAiModelProvider).
            if (event.type === 'delta' || event.type === 'reasoning' || event.type === 'chunks') {
              textSent = true;
              deadlines.textArrived();
            }
            yield event;
          }
        } catch (error) {
          failure = { error };
        } finally {
          unlinkAttempt();
        }
        // The caller went away (or stopped): end quietly, whatever else happened meanwhile.
        if (signal.aborted) return;
        // Aborting the attempt may have ended it quietly or with an abort error: either way, a timeout.
        if (deadlines.expired) throw deadlines.expired;
        if (!failure) return;
        if (textSent) throw failure.error;
        const decision = decideRetry(failure.error, {
          retriesSoFar,
          maxRetries: this.policy.maxRetries,
          baseDelayMs: this.policy.retryBaseDelayMs,
          maxDelayMs: this.policy.retryMaxDelayMs,
          budgetMs: deadlines.msUntilFirstTokenDue(),
          nowMs: Date.now(),
          random: this.random(),
        });
        if (!decision.retry) throw failure.error;
        this.metrics?.upstreamRetried(decision.cause);
        // Status and timing only: the upstream's error body may echo the prompt or account details.
        this.logger.warn(
          {
            retry: retriesSoFar + 1,
            maxRetries: this.policy.maxRetries,
            delayMs: decision.delayMs,
            upstreamStatus: decision.cause,
          },
          `upstream request failed (${decision.cause}) before any text; retry ${retriesSoFar + 1} of ${this.policy.maxRetries} in ${decision.delayMs} ms`,
        );
        await abortableDelay(decision.delayMs, reply.signal);
        if (signal.aborted) return;
        if (deadlines.expired) throw deadlines.expired;
      }
    } finally {
      deadlines.clear();
      unlinkCaller();
    }
  }
}
