import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CollectFunction,
} from 'prom-client';
import type { RefusedLimit } from '../shared/refused-limit';
import type { StoreUsage } from '../shared/store-usage';
import type { BudgetStatus } from '@tokenstream/stream-contracts';

/** Which api a stream was asked for on: the native protocol or the OpenAI-compatible routes. */
export type StreamApi = 'native' | 'openai';

/** What a stream's summary line says about it, as far as the metrics need. */
export interface EndedStream {
  ttftMs: number | null;
  durationMs: number | null;
  finishReason: string | null;
  errorCode: string | null;
  usage: { promptTokens: number; completionTokens: number } | null;
  /** The deployment that answered, and the model it answered as (a fallback's, maybe). */
  deployment?: string | null;
  servedModel?: string | null;
}

/**
 * The api's Prometheus metrics, in a registry of its own (not prom-client's global one, so that
 * every app instance, in tests too, counts alone). Labels stay bounded: the model (one of
 * `CHAT_MODELS`), an outcome, a limit name; never a principal or a stream id.
 */
export class ApiMetrics {
  readonly registry = new Registry();

  private readonly started = this.counter(
    'tokenstream_streams_started_total',
    'Streams started (replies generated), by model and api (native or openai).',
    ['model', 'api'],
  );

  private readonly active = this.gauge(
    'tokenstream_streams_active',
    'Replies being generated now.',
  );

  private readonly ended = this.counter(
    'tokenstream_streams_ended_total',
    'Streams ended, by model, api and outcome: a finish reason (stop, length, cancelled, …) or an error code.',
    ['model', 'api', 'outcome'],
  );

  private readonly firstToken = this.histogram(
    'tokenstream_stream_first_token_seconds',
    'From the start of a generation to its first text, by model.',
    ['model'],
    [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
  );

  private readonly duration = this.histogram(
    'tokenstream_stream_duration_seconds',
    'From the start of a generation to its end, by model.',
    ['model'],
    [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
  );

  private readonly tokens = this.counter(
    'tokenstream_tokens_total',
    'Tokens the upstream reported, by model and kind (prompt or completion).',
    ['model', 'kind'],
  );

  private readonly refused = this.counter(
    'tokenstream_requests_rate_limited_total',
    'Requests refused with 429 by a per-principal limit, by limit.',
    ['limit'],
  );

  private readonly uncounted = this.counter(
    'tokenstream_limits_unavailable_total',
    'Streams admitted without counting them, as the limit store could not be reached.',
  );

  private readonly retries = this.counter(
    'tokenstream_upstream_retries_total',
    'Upstream requests retried before any text, by cause (an HTTP status or a connection error).',
    ['cause'],
  );

  private readonly served = this.counter(
    'tokenstream_deployment_replies_total',
    'Replies a deployment answered (it sent some of the reply), by deployment and model.',
    ['deployment', 'model'],
  );

  private readonly deploymentFailures = this.counter(
    'tokenstream_deployment_failures_total',
    'Deployment failures that cooled it down, by deployment and cause (an HTTP status, timeout or a connection error).',
    ['deployment', 'cause'],
  );

  constructor(options: { defaultMetrics?: boolean } = {}) {
    // The process's own figures (CPU, memory, event loop lag, handles), prefixed like ours.
    if (options.defaultMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry, prefix: 'tokenstream_' });
    }
  }

  streamStarted(model: string, api: StreamApi): void {
    this.started.inc({ model, api });
    this.active.inc();
  }

  streamEnded(model: string, api: StreamApi, stream: EndedStream): void {
    this.active.dec();
    const outcome = stream.finishReason ?? stream.errorCode ?? 'unknown';
    this.ended.inc({ model, api, outcome });
    if (stream.ttftMs !== null) this.firstToken.observe({ model }, stream.ttftMs / 1000);
    if (stream.durationMs !== null) this.duration.observe({ model }, stream.durationMs / 1000);
    if (stream.deployment) {
      this.served.inc({ deployment: stream.deployment, model: stream.servedModel ?? model });
    }
    if (stream.usage) {
      this.tokens.inc({ model, kind: 'prompt' }, stream.usage.promptTokens);
      this.tokens.inc({ model, kind: 'completion' }, stream.usage.completionTokens);
    }
  }

  rateLimited(limit: RefusedLimit): void {
    this.refused.inc({ limit });
  }

  limitsUnavailable(): void {
    this.uncounted.inc();
  }

  /** An embeddings request a deployment answered, with the tokens it counted. */
  embeddingsCreated(model: string, deployment: string, promptTokens: number): void {
    this.served.inc({ deployment, model });
    this.tokens.inc({ model, kind: 'prompt' }, promptTokens);
  }

  deploymentFailed(deployment: string, cause: string): void {
    this.deploymentFailures.inc({ deployment, cause });
  }

  upstreamRetried(cause: string | number): void {
    this.retries.inc({ cause: String(cause) });
  }

  /**
   * Reports at each scrape how long each of `deployments` is left alone after a failure (0: in
   * use), as the cooldowns every instance shares say: an operator sees a region taken out, and back.
   * Cooldowns out of reach (Redis down) leave the gauge as it was rather than fail the scrape.
   */
  watchCooldowns(
    deployments: readonly string[],
    cooling: (deployments: readonly string[]) => Promise<Map<string, number>>,
  ): void {
    this.gauge(
      'tokenstream_deployment_cooldown_seconds',
      'Seconds until a deployment a failure cooled down is used again, by deployment; 0 when in use.',
      ['deployment'],
      async function collect() {
        const until = await cooling(deployments).catch(() => undefined);
        if (!until) return;
        const now = Date.now();
        for (const deployment of deployments) {
          this.set({ deployment }, Math.max(0, (until.get(deployment) ?? now) - now) / 1000);
        }
      },
    );
  }

  /**
   * Reports the stream store's size at each scrape: read once for the four gauges. A store that
   * cannot answer (a shared one out of reach) leaves them as they were rather than fail the scrape.
   */
  /**
   * Spend against budget per owner kind (`user`, `group`, `key`: bounded labels), read at each
   * scrape from `statuses`: the highest ratio of any budget of that kind, and how many budgets are
   * at 80 % or more, for an alert before callers are refused.
   */
  watchBudgets(statuses: () => Promise<readonly BudgetStatus[]>): void {
    let reading: Promise<readonly BudgetStatus[] | undefined> | undefined;
    const current = () => {
      reading ??= statuses()
        .catch(() => undefined)
        .finally(() => (reading = undefined));
      return reading;
    };
    const KINDS = ['user', 'group', 'key'] as const;
    const perKind = (name: string, help: string, figure: (ratios: number[]) => number) =>
      this.gauge(name, help, ['kind'], async function collect() {
        const known = await current();
        if (!known) return;
        for (const kind of KINDS) {
          const ratios = known.filter((b) => b.kind === kind).map((b) => b.spentUsd / b.usd);
          this.set({ kind }, figure(ratios));
        }
      });
    perKind(
      'tokenstream_budget_spend_ratio_max',
      'The highest spend against its budget of any budget of this owner kind, this period (1 = spent).',
      (ratios) => Math.max(0, ...ratios),
    );
    perKind(
      'tokenstream_budgets_at_80_percent',
      'Budgets of this owner kind whose spend this period is at 80 % of the budget or more.',
      (ratios) => ratios.filter((ratio) => ratio >= 0.8).length,
    );
  }

  watchStore(usage: () => Promise<StoreUsage>): void {
    let reading: Promise<StoreUsage | undefined> | undefined;
    const current = () => {
      reading ??= usage()
        .catch(() => undefined)
        .finally(() => (reading = undefined));
      return reading;
    };
    const gauge = (name: string, help: string, read: (u: StoreUsage) => number) =>
      this.gauge(name, help, [], async function collect() {
        const known = await current();
        if (known) this.set(read(known));
      });
    gauge('tokenstream_store_streams', 'Streams held in the stream store.', (u) => u.streams);
    gauge('tokenstream_store_bytes', 'Bytes of frames held in the stream store.', (u) => u.bytes);
    gauge(
      'tokenstream_store_reserved_bytes',
      'Bytes spoken for in the stream store: running streams at STREAM_MAX_BYTES, finished ones as they are.',
      (u) => u.reservedBytes,
    );
    gauge(
      'tokenstream_store_max_bytes',
      'The stream store bound (STREAM_STORE_MAX_BYTES).',
      (u) => u.maxBytes,
    );
  }

  /** A counter of this registry (and of no other). */
  private counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []) {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  /** A gauge of this registry; `collect`, when given, sets it at each scrape. */
  private gauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    collect?: CollectFunction<Gauge<L>>,
  ) {
    return new Gauge({ name, help, labelNames, collect, registers: [this.registry] });
  }

  /** A histogram of this registry, its `buckets` in seconds. */
  private histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: number[],
  ) {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }
}
