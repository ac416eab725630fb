/**
 * Calls `beat` whenever `intervalMs` pass without `touch()`: the keep-alive that stops proxies and
 * load balancers with idle timeouts from closing a quiet stream (say, while the first token is slow).
 */
export class Heartbeat {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly beat: () => void,
  ) {}

  /** Something was just written: the quiet period starts again. */
  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.beat();
      this.touch();
    }, this.intervalMs);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
