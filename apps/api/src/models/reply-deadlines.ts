import type { AppConfig } from '../config/app-config';
import { UpstreamTimeoutError, type UpstreamTimeoutKind } from './upstream-timeout-error';

/** The time limits one reply runs under (from the `upstream` settings). */
export type ReplyTimeLimits = Pick<
  AppConfig['upstream'],
  'firstTokenTimeoutMs' | 'idleTimeoutMs' | 'totalTimeoutMs'
>;

type Timer = ReturnType<typeof setTimeout>;

/**
 * The clocks of one reply, started when it is: time to the first text (retries included), silence
 * once text has started, and the whole reply. The first limit to pass calls `onExpire`, once.
 */
export class ReplyDeadlines {
  private readonly startedAt = performance.now();
  private readonly totalTimer: Timer;
  private firstTokenTimer: Timer | undefined;
  private idleTimer: Timer | undefined;
  /** When text last arrived (`Date.now()`), read by the silence clock when it rings. */
  private lastTextAt = 0;
  private expiredWith: UpstreamTimeoutError | undefined;
  private stopped = false;

  constructor(
    private readonly limits: ReplyTimeLimits,
    private readonly onExpire: (timeout: UpstreamTimeoutError) => void,
  ) {
    this.firstTokenTimer = setTimeout(() => this.expire('first-token'), limits.firstTokenTimeoutMs);
    this.totalTimer = setTimeout(() => this.expire('total'), limits.totalTimeoutMs);
  }

  /** The limit that passed, if one did. */
  get expired(): UpstreamTimeoutError | undefined {
    return this.expiredWith;
  }

  /** Time left before the first text is due, or the whole reply if that limit comes sooner. */
  msUntilFirstTokenDue(): number {
    const limit = Math.min(this.limits.firstTokenTimeoutMs, this.limits.totalTimeoutMs);
    return Math.max(0, limit - (performance.now() - this.startedAt));
  }

  /**
   * Text arrived: the first-token clock stops, and the silence clock starts (again). It runs for
   * every token, so it only notes the time: the one silence timer, when it rings, re-arms itself
   * for what is left of the silence allowed since the last text, rather than being reset per token.
   */
  textArrived(): void {
    this.lastTextAt = Date.now();
    if (this.idleTimer || this.stopped) return;
    clearTimeout(this.firstTokenTimer);
    this.firstTokenTimer = undefined;
    this.armIdle(this.limits.idleTimeoutMs);
  }

  /** Stops every clock; to be called on every way out of a reply. */
  clear(): void {
    this.stopped = true;
    clearTimeout(this.firstTokenTimer);
    clearTimeout(this.idleTimer);
    clearTimeout(this.totalTimer);
  }

  private armIdle(delayMs: number): void {
    this.idleTimer = setTimeout(() => {
      const silentMs = Date.now() - this.lastTextAt;
      if (silentMs >= this.limits.idleTimeoutMs) this.expire('idle');
      else if (!this.stopped) this.armIdle(this.limits.idleTimeoutMs - silentMs);
    }, delayMs);
  }

  private expire(kind: UpstreamTimeoutKind): void {
    if (this.stopped) return;
    const limitMs = {
      'first-token': this.limits.firstTokenTimeoutMs,
      idle: this.limits.idleTimeoutMs,
      total: this.limits.totalTimeoutMs,
    }[kind];
    this.expiredWith = new UpstreamTimeoutError(kind, limitMs);
    this.clear();
    this.onExpire(this.expiredWith);
  }
}
