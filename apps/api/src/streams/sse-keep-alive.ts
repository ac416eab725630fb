/**
 * Calls `beat` whenever `intervalMs` pass without `touch()`: the keep-alive that stops proxies and
 * load balancers with idle timeouts from closing a quiet stream (say, while the first token is slow).
 *
 * `touch()` runs for every frame of every reader, so it only notes the time: the one timer is
 * re-armed when it fires, for whatever is left of the quiet interval, rather than reset per frame.
 */
export class SseKeepAlive {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastTouch = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly beat: () => void,
  ) {}

  /** Something was just written: the quiet period starts again. */
  touch(): void {
    this.lastTouch = Date.now();
    this.timer ??= setTimeout(() => this.check(), this.intervalMs);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    const quietMs = Date.now() - this.lastTouch;
    if (quietMs >= this.intervalMs) {
      this.beat();
      this.lastTouch = Date.now();
    }
    // `beat` may have stopped it (a reader that went away).
    if (this.timer === undefined) return;
    const remainingMs = this.intervalMs - (Date.now() - this.lastTouch);
    this.timer = setTimeout(() => this.check(), Math.max(1, remainingMs));
  }
}
