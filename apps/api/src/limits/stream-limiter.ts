import { Logger } from '@nestjs/common';
import type { Principal } from '../auth/principal';
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
} from './principal-limits';
import { msUntilUtcMidnight } from './utc-day';

/** What a caller at its concurrency limit is asked to wait: a reply usually ends within seconds. */
export const CONCURRENCY_RETRY_AFTER_MS = 5_000;

/** A slot's lease when none is configured: longer than any reply may last. */
const DEFAULT_SLOT_LEASE_MS = 3_600_000;

/** What a request asks of the model, by size: the tokens it uses are estimated from it. */
export interface RequestSize {
  /** Characters of text it sends (a chat's messages, an embeddings request's input). */
  promptChars: number;
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

  constructor(
    private readonly defaults: PrincipalLimits,
    private readonly store: LimitStore,
    options: {
      now?: () => number;
      metrics?: Pick<ApiMetrics, 'rateLimited' | 'limitsUnavailable'>;
      /** The longest a stream can hold its slot: its release is lost if its process dies. */
      slotLeaseMs?: number;
    } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.metrics = options.metrics;
    this.slotLeaseMs = options.slotLeaseMs ?? DEFAULT_SLOT_LEASE_MS;
  }

  /**
   * Admits a new stream and returns its {@link LimitTicket}, to be ended when the stream ends; or
   * throws the `429` of the first limit reached, having counted nothing.
   */
  async admit(principal: Principal, request: RequestSize): Promise<LimitTicket> {
    try {
      return await this.count(principal, request);
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

  private async count(principal: Principal, request: RequestSize): Promise<LimitTicket> {
    const limits = effectiveLimits(this.defaults, principal.limits);
    const key = principal.id;
    const admission = await this.store.admit(key, limits, this.slotLeaseMs);
    if (!admission.ok) {
      const { limit } = admission;
      const retryAfterMs =
        limit === 'tokensPerDay'
          ? msUntilUtcMidnight(this.now())
          : limit === 'concurrentStreams'
            ? CONCURRENCY_RETRY_AFTER_MS
            : (admission.retryAfterMs ?? REQUEST_WINDOW_MS);
      throw this.refuse(key, limit, limits[limit], retryAfterMs);
    }
    const countsTokens = limits.tokensPerDay !== NO_LIMIT;
    return new LimitTicket(this.store, {
      key,
      slotId: admission.slotId,
      countsTokens,
      promptChars: request.promptChars,
    });
  }

  private refuse(key: string, name: LimitName, limit: number, retryAfterMs: number): ApiException {
    this.logger.log({ principal: key, limit: name, max: limit, retryAfterMs }, 'rate limited');
    this.metrics?.rateLimited(name);
    return limitExceeded(name, limit, retryAfterMs);
  }
}
