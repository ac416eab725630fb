import type { StreamFrame } from '@tokenstream/stream-contracts';
import type { FrameWriter, StreamWriterEvents } from './frame-writer';
import { StreamClosedError, type AppendResult, type StreamStore } from './stream-store';

/** How long the writer keeps retrying a store that fails before it gives the stream up. */
export const STORE_WRITE_PATIENCE_MS = 5_000;

/** The first wait before a failed append is tried again; it doubles up to a second. */
const FIRST_RETRY_DELAY_MS = 50;
const MAX_RETRY_DELAY_MS = 1_000;

/**
 * A shared store's {@link FrameWriter} (`RedisStreamStore.writer`): writes one generation's
 * frames to the store, in order, with at most one append in flight. Frames that arrive meanwhile
 * go in the next append, together, their consecutive text deltas joined into one frame: positions
 * stay dense and resume exact, and a shared store is written once per round trip rather than once
 * per token. A store that fails is retried (in order, nothing dropped, and nothing doubled: each
 * append names the position it follows) for a bounded time.
 */
export class StreamWriter implements FrameWriter {
  private queue: StreamFrame[] = [];
  private writing: Promise<void> | undefined;
  private lost = false;
  /** The position of the last frame stored: each append must follow it, retries included. */
  private lastSeq = 0;

  constructor(
    private readonly store: StreamStore,
    private readonly streamId: string,
    private readonly events: StreamWriterEvents,
    private readonly patienceMs = STORE_WRITE_PATIENCE_MS,
  ) {}

  /** Queues `frame` behind what was written before it. */
  write(frame: StreamFrame): void {
    if (this.lost) return;
    const last = this.queue[this.queue.length - 1];
    if (last?.type === 'text-delta' && frame.type === 'text-delta') {
      this.queue[this.queue.length - 1] = { type: 'text-delta', delta: last.delta + frame.delta };
    } else {
      this.queue.push(frame);
    }
    this.writing ??= this.drain();
  }

  /** Resolves once every frame written so far is stored, or given up; never rejects. */
  async flushed(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.lost) {
        const frames = this.queue;
        this.queue = [];
        const startedAt = Date.now();
        let result: AppendResult | undefined;
        // The first try here rather than in `appendPatiently`: an append to a remote store waits a
        // round trip, and one async frame fewer per append is less for the heap to carry meanwhile.
        try {
          // After the last position known: a retry of an append that did happen is not doubled.
          result = await this.store.append(this.streamId, frames, this.lastSeq);
        } catch (error) {
          result = await this.appendPatiently(frames, error, startedAt);
        }
        if (result) this.lastSeq = result.lastSeq;
        if (result?.overLimit) this.events.onOverLimit();
      }
    } finally {
      this.writing = undefined;
    }
  }

  /**
   * Appends `frames` again after their first try (begun at `startedAt`) failed with `failure`,
   * retrying a failing store until it works or patience runs out.
   */
  private async appendPatiently(frames: StreamFrame[], failure: unknown, startedAt: number) {
    const deadline = startedAt + this.patienceMs;
    let error = failure;
    for (
      let delayMs = FIRST_RETRY_DELAY_MS;
      ;
      delayMs = Math.min(delayMs * 2, MAX_RETRY_DELAY_MS)
    ) {
      if (error instanceof StreamClosedError || Date.now() + delayMs > deadline) {
        this.lost = true;
        this.queue = [];
        this.events.onLost(error);
        return undefined;
      }
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      try {
        return await this.store.append(this.streamId, frames, this.lastSeq);
      } catch (next) {
        error = next;
      }
    }
  }
}
