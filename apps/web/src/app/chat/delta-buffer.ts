/** Runs a callback before the next repaint; `requestAnimationFrame` in a browser. */
export interface FrameScheduler {
  request(callback: () => void): number;
  cancel(handle: number): void;
}

/** The browser's animation frames. */
export const animationFrames: FrameScheduler = {
  request: (callback) => requestAnimationFrame(callback),
  cancel: (handle) => cancelAnimationFrame(handle),
};

/**
 * Collects text deltas and hands them on joined, at most once per animation frame: a reply
 * streaming hundreds of tokens a second costs one signal write and one render per frame, not one
 * per token. In a hidden tab, where frames pause, the text waits and arrives in one piece.
 */
export class DeltaBuffer {
  private pending = '';
  private frame: number | undefined;

  constructor(
    private readonly apply: (text: string) => void,
    private readonly frames: FrameScheduler = animationFrames,
  ) {}

  /** Queues `delta` for the next frame. */
  push(delta: string): void {
    if (delta === '') return;
    this.pending += delta;
    this.frame ??= this.frames.request(() => {
      this.frame = undefined;
      this.flush();
    });
  }

  /** Hands on what is queued now, without waiting for a frame (before a reply's end is shown). */
  flush(): void {
    this.cancelFrame();
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    this.apply(text);
  }

  /** Drops what is queued and the frame requested for it. */
  dispose(): void {
    this.cancelFrame();
    this.pending = '';
  }

  private cancelFrame(): void {
    if (this.frame === undefined) return;
    this.frames.cancel(this.frame);
    this.frame = undefined;
  }
}
