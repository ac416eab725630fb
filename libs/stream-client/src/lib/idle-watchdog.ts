/**
 * Calls `onIdle` once when nothing was heard for `idleMs` (no `kick()`): a connection that went
 * silent without closing (a sleeping laptop, a proxy that dropped it) is detected and given up.
 * One timer per quiet period, not one per kick, so a fast stream costs a timestamp per frame.
 */
export class IdleWatchdog {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastHeard = 0;
  private idleMs = 0;
  private paused = false;

  constructor(private readonly onIdle: () => void) {}

  /** (Re)starts watching with `idleMs` of allowed silence, counted from now. */
  start(idleMs: number): void {
    this.idleMs = idleMs;
    this.kick();
    this.schedule(idleMs);
  }

  /** Something was heard. */
  kick(): void {
    this.lastHeard = Date.now();
  }

  /** Time from now on is not silence (the reader is busy with what was heard) until `resume()`. */
  pause(): void {
    this.paused = true;
  }

  /** Counts silence again, from now. */
  resume(): void {
    this.paused = false;
    this.kick();
  }

  /** Stops watching; `onIdle` will not be called. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.check(), delayMs);
  }

  private check(): void {
    const quietMs = this.paused ? 0 : Date.now() - this.lastHeard;
    if (quietMs < this.idleMs) {
      this.schedule(this.idleMs - quietMs);
      return;
    }
    this.timer = undefined;
    this.onIdle();
  }
}
