import { Logger } from '@nestjs/common';
import type { ChatRequest } from '@tokenstream/stream-contracts';
import type { Principal } from '../auth/principal';
import type { ApiException } from '../common/api-exception';
import type { ApiMetrics } from '../metrics/api-metrics';
import { limitExceeded } from './limit-exceeded';
import type { LimitStore } from './limit-store';
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

/**
 * Decides whether a principal may start another stream, before anything is generated. Limits are
 * counted per principal id, so every caller of `AUTH_MODE=none` (all `anonymous`) shares one set.
 */
export class StreamLimiter {
  private readonly logger = new Logger(StreamLimiter.name);

  private readonly now: () => number;
  private readonly metrics: Pick<ApiMetrics, 'rateLimited'> | undefined;

  constructor(
    private readonly defaults: PrincipalLimits,
    private readonly store: LimitStore,
    options: { now?: () => number; metrics?: Pick<ApiMetrics, 'rateLimited'> } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.metrics = options.metrics;
  }

  /**
   * Admits a new stream and returns its {@link LimitTicket}, to be ended when the stream ends; or
   * throws the `429` of the first limit reached, having counted nothing.
   */
  admit(principal: Principal, request: ChatRequest): LimitTicket {
    const limits = effectiveLimits(this.defaults, principal.limits);
    const key = principal.id;
    const { tokensPerDay, concurrentStreams, requestsPerMinute } = limits;
    const countsTokens = tokensPerDay !== NO_LIMIT;
    if (countsTokens && this.store.tokensToday(key) >= tokensPerDay) {
      throw this.refuse(key, 'tokensPerDay', tokensPerDay, msUntilUtcMidnight(this.now()));
    }
    const holdsSlot = concurrentStreams !== NO_LIMIT;
    if (holdsSlot && !this.store.acquireSlot(key, concurrentStreams)) {
      throw this.refuse(key, 'concurrentStreams', concurrentStreams, CONCURRENCY_RETRY_AFTER_MS);
    }
    if (requestsPerMinute !== NO_LIMIT) {
      const decision = this.store.recordRequest(key, requestsPerMinute);
      if (!decision.ok) {
        if (holdsSlot) this.store.releaseSlot(key);
        throw this.refuse(key, 'requestsPerMinute', requestsPerMinute, decision.retryAfterMs);
      }
    }
    const promptChars = request.messages.reduce((sum, message) => sum + message.content.length, 0);
    return new LimitTicket(this.store, { key, holdsSlot, countsTokens, promptChars });
  }

  private refuse(key: string, name: LimitName, limit: number, retryAfterMs: number): ApiException {
    this.logger.log({ principal: key, limit: name, max: limit, retryAfterMs }, 'rate limited');
    this.metrics?.rateLimited(name);
    return limitExceeded(name, limit, retryAfterMs);
  }
}
