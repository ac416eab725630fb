import { Logger } from '@nestjs/common';
import type { Principal } from '../shared/principal';
import { ApiException } from '../common/api-exception';
import type { ApiMetrics } from '../metrics/api-metrics';
import { limitExceeded } from './limit-exceeded';
import { REQUEST_WINDOW_MS, type LimitStore } from './limit-store';
import { LimitTicket } from './limit-ticket';
import {
  effectiveLimits,
  NO_LIMIT,
  type LimitName,
  type PrincipalLimits,
} from '../shared/principal-limits';
import type { LimitStandings } from '../shared/limit-standing';
import { msUntilUtcMidnight } from './utc-day';

/** What a caller at its concurrency limit is asked to wait: a reply usually ends within seconds. */
export const CONCURRENCY_RETRY_AFTER_MS = 5_000;

/** Limits that limit nothing: what a model's own limits leave unset. */
const UNLIMITED: PrincipalLimits = {
  concurrentStreams: NO_LIMIT,
  requestsPerMinute: NO_LIMIT,
  tokensPerDay: NO_LIMIT,
};

/** A slot's lease when none is configured: longer than any reply may last. */
const DEFAULT_SLOT_LEASE_MS = 3_600_000;

/** What a request asks of the model, by size: the tokens it uses are estimated from it. */
export interface RequestSize {
  /** Characters of text it sends (a chat's messages, an embeddings request's input). */
  promptChars: number;
  /** The model it asks for, when that model has limits of its own (the models file's `limits`). */
  model?: string;
}

/** Where a principal's use of one model is counted, apart from its use of every model. */
function modelKey(principalId: string, model: string): string {
  return `${principalId}\nmodel:${model}`;
}

/**
 * Decides whether a principal may start another stream, before anything is generated. Limits are
 * counted per principal id, so every caller of `AUTH_MODE=none` (all `anonymous`) shares one set.
 */
export class StreamLimiter {
  private readonly logger = new Logger(StreamLimiter.name);

  private readonly now: () => number;
  private readonly metrics: Pick<ApiMetrics, 'rateLimited' | 'limitsUnavailable'> | undefined;
  private readonly slotLeaseMs: number;
  private readonly modelLimits: Readonly<Record<string, Partial<PrincipalLimits>>>;

  constructor(
    private readonly defaults: PrincipalLimits,
    private readonly store: LimitStore,
    options: {
      now?: () => number;
      metrics?: Pick<ApiMetrics, 'rateLimited' | 'limitsUnavailable'>;
      /** The longest a stream can hold its slot: its release is lost if its process dies. */
      slotLeaseMs?: number;
      /** Each caller's limits on one model, for models that have their own (the models file). */
      modelLimits?: Readonly<Record<string, Partial<PrincipalLimits>>>;
    } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.modelLimits = options.modelLimits ?? {};
    this.metrics = options.metrics;
    this.slotLeaseMs = options.slotLeaseMs ?? DEFAULT_SLOT_LEASE_MS;
  }

  /**
   * Admits a new stream and returns its {@link LimitTicket}, to be ended when the stream ends; or
   * throws the `429` of the first limit reached, having counted nothing.
   */
  async admit(principal: Principal, request: RequestSize): Promise<LimitTicket> {
    try {
      const limits = request.model ? this.modelLimits[request.model] : undefined;
      if (!limits || !request.model) return await this.count(principal, request);
      // The model's own limits, per caller, then the caller's: refused by the second, the first
      // is given back.
      const perModel = await this.count(principal, request, {
        key: modelKey(principal.id, request.model),
        limits: effectiveLimits(UNLIMITED, limits),
        model: request.model,
      });
      try {
        return await this.count(principal, request, undefined, perModel);
      } catch (error) {
        await perModel.release();
        throw error;
      }
    } catch (error) {
      if (error instanceof ApiException) throw error;
      // The counters are out of reach (a shared store is down): letting callers through for a
      // while costs less than refusing everyone, as rate limiters usually choose. Loudly.
      this.logger.warn(
        { err: error, principal: principal.id },
        'limits unavailable: stream admitted without counting',
      );
      this.metrics?.limitsUnavailable();
      const uncounted = { key: principal.id, slotId: undefined, countsTokens: false };
      return new LimitTicket(this.store, { ...uncounted, promptChars: 0 });
    }
  }

  private async count(
    principal: Principal,
    request: RequestSize,
    scope: { key: string; limits: PrincipalLimits; model: string } | undefined = undefined,
    next?: LimitTicket,
  ): Promise<LimitTicket> {
    const limits = scope?.limits ?? effectiveLimits(this.defaults, principal.limits);
    const key = scope?.key ?? principal.id;
    const admission = await this.store.admit(key, limits, this.slotLeaseMs);
    // Where the caller's own limits stand: a model's limits (`scope`) are not what it paces by.
    const standing = scope ? undefined : admission.standing;
    if (!admission.ok) {
      const { limit } = admission;
      const retryAfterMs =
        limit === 'tokensPerDay'
          ? // The store's clock, as the standing's, so that both say the same midnight.
            (admission.standing.tokens?.resetMs ?? msUntilUtcMidnight(this.now()))
          : limit === 'concurrentStreams'
            ? CONCURRENCY_RETRY_AFTER_MS
            : (admission.retryAfterMs ?? REQUEST_WINDOW_MS);
      throw this.refuse(principal.id, limit, limits[limit], retryAfterMs, scope?.model, standing);
    }
    const countsTokens = limits.tokensPerDay !== NO_LIMIT;
    const { promptChars } = request;
    return new LimitTicket(
      this.store,
      { key, slotId: admission.slotId, countsTokens, promptChars, standing },
      next,
    );
  }

  private refuse(
    principal: string,
    name: LimitName,
    limit: number,
    retryAfterMs: number,
    model: string | undefined,
    standing: LimitStandings | undefined,
  ): ApiException {
    this.logger.log(
      { principal, limit: name, max: limit, retryAfterMs, ...(model ? { model } : {}) },
      'rate limited',
    );
    this.metrics?.rateLimited(name);
    return limitExceeded(name, limit, retryAfterMs, { model, standing });
  }
}
