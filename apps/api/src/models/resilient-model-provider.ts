import { Logger, type LoggerService } from '@nestjs/common';
import type { ProviderKind } from '@tokenstream/stream-contracts';
import type { AppConfig } from '../config/app-config';
import { abortableDelay } from './abortable-delay';
import { forwardAbort } from './forward-abort';
import { ModelProvider, type ModelRequest, type ModelSink } from './model-provider';
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
  private readonly metrics: ResilienceDependencies['metrics'];

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

  stream(request: ModelRequest, signal: AbortSignal, sink: ModelSink): void {
    if (signal.aborted) return sink.done();
    new ResilientReply(this.inner, request, signal, sink, this.policy, {
      logger: this.logger,
      random: this.random,
      metrics: this.metrics,
    }).attempt(0);
  }
}

/**
 * One reply under the `upstream` policy: a small state machine of attempts. Its events pass
 * straight through to the caller's sink (a field check per token, and the silence clock's note of
 * the time); only an attempt's end decides anything: done, a retry after backoff, or a failure.
 */
class ResilientReply {
  /** Aborted by the caller or by a time limit. */
  private readonly reply = new AbortController();
  private readonly unlinkCaller: () => void;
  private readonly deadlines: ReplyDeadlines;
  private textSent = false;
  private over = false;
  /** `reply.signal.aborted`, as a field: read for every token, where the getter costs a call. */
  private aborted = false;

  constructor(
    private readonly inner: ModelProvider,
    private readonly request: ModelRequest,
    private readonly signal: AbortSignal,
    private readonly sink: ModelSink,
    private readonly policy: UpstreamPolicy,
    private readonly dependencies: {
      logger: Pick<LoggerService, 'warn'>;
      random: () => number;
      metrics: ResilienceDependencies['metrics'];
    },
  ) {
    this.reply.signal.addEventListener('abort', () => (this.aborted = true), { once: true });
    this.unlinkCaller = forwardAbort(signal, this.reply);
    this.deadlines = new ReplyDeadlines(policy, (timeout) => this.reply.abort(timeout));
  }

  /**
   * Runs one attempt. Each gets its own controller linked to the reply's, because the SDK leaves
   * a listener on the signal it is given for every request it makes.
   */
  attempt(retriesSoFar: number): void {
    const attempt = new AbortController();
    const unlinkAttempt = forwardAbort(this.reply.signal, attempt);
    const { deadlines, sink } = this;
    this.inner.stream(this.request, attempt.signal, {
      next: (event) => {
        // A chunk already read when a limit passed must not reach the user after the timeout.
        if (this.aborted) return;
        // Chunks come only once they carry some of the reply (see OpenAiReplyReader).
        if (event.type === 'delta' || event.type === 'reasoning' || event.type === 'chunks') {
          this.textSent = true;
          deadlines.textArrived();
        }
        sink.next(event);
      },
      done: () => {
        unlinkAttempt();
        this.attemptEnded(retriesSoFar, undefined);
      },
      fail: (error) => {
        unlinkAttempt();
        this.attemptEnded(retriesSoFar, { error });
      },
    });
  }

  private attemptEnded(retriesSoFar: number, failure: { error: unknown } | undefined): void {
    // The caller went away (or stopped): end quietly, whatever else happened meanwhile.
    if (this.signal.aborted) return this.end();
    // Aborting the attempt may have ended it quietly or with an abort error: either way, a timeout.
    if (this.deadlines.expired) return this.end({ error: this.deadlines.expired });
    if (!failure || this.textSent) return this.end(failure);
    const { policy, dependencies } = this;
    const decision = decideRetry(failure.error, {
      retriesSoFar,
      maxRetries: policy.maxRetries,
      baseDelayMs: policy.retryBaseDelayMs,
      maxDelayMs: policy.retryMaxDelayMs,
      budgetMs: this.deadlines.msUntilFirstTokenDue(),
      nowMs: Date.now(),
      random: dependencies.random(),
    });
    if (!decision.retry) return this.end(failure);
    dependencies.metrics?.upstreamRetried(decision.cause);
    // Status and timing only: the upstream's error body may echo the prompt or account details.
    dependencies.logger.warn(
      {
        retry: retriesSoFar + 1,
        maxRetries: policy.maxRetries,
        delayMs: decision.delayMs,
        upstreamStatus: decision.cause,
      },
      `upstream request failed (${decision.cause}) before any text; retry ${retriesSoFar + 1} of ${policy.maxRetries} in ${decision.delayMs} ms`,
    );
    void abortableDelay(decision.delayMs, this.reply.signal).then(() => {
      if (this.signal.aborted) return this.end();
      if (this.deadlines.expired) return this.end({ error: this.deadlines.expired });
      this.attempt(retriesSoFar + 1);
    });
  }

  /** Ends the reply once, quietly or with `failure`, and stops its clocks. */
  private end(failure?: { error: unknown }): void {
    if (this.over) return;
    this.over = true;
    this.deadlines.clear();
    this.unlinkCaller();
    if (failure) this.sink.fail(failure.error);
    else this.sink.done();
  }
}
