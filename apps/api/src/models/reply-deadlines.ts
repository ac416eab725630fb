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

  /** Text arrived: the first-token clock stops, and the silence clock starts (again). */
  textArrived(): void {
    if (this.stopped) return;
    if (this.idleTimer) {
      // refresh() re-arms the same timer: cheaper than a new one for every chunk of a long reply.
      this.idleTimer.refresh();
      return;
    }
    clearTimeout(this.firstTokenTimer);
    this.firstTokenTimer = undefined;
    this.idleTimer = setTimeout(() => this.expire('idle'), this.limits.idleTimeoutMs);
  }

  /** Stops every clock; to be called on every way out of a reply. */
  clear(): void {
    this.stopped = true;
    clearTimeout(this.firstTokenTimer);
    clearTimeout(this.idleTimer);
    clearTimeout(this.totalTimer);
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
