import { Logger } from '@nestjs/common';
import type { Generation, InterruptReason } from './generation';

/** How often a shutdown looks whether every reader has received its last frame. */
const FLUSH_POLL_MS = 20;

/** How long a new generation waits for the request that started it to begin reading. */
const FIRST_READER_WAIT_MS = 1_000;

interface Tracked {
  generation: Generation;
  done: Promise<void>;
  readers: number;
  graceTimer?: ReturnType<typeof setTimeout>;
}

/**
 * The generations this process runs, and who reads them. It keeps stop apart from disconnect: a
 * stop interrupts at once, while a generation whose last reader left goes on for the grace period
 * so the reader can come back, and is cancelled only if nobody does.
 */
export class GenerationRegistry {
  private readonly logger = new Logger(GenerationRegistry.name);
  private readonly running = new Map<string, Tracked>();
  private openDeliveries = 0;
  private draining = false;

  constructor(private readonly resumeGraceMs: number) {}

  /** True once shutdown has begun: no new stream may start. */
  get isDraining(): boolean {
    return this.draining;
  }

  /** Generations running right now. */
  get size(): number {
    return this.running.size;
  }

  /**
   * Runs `generation` and tracks it until it ends. Its first reader is expected at once (the request
   * that started it); if none ever comes, it is cancelled like an abandoned one.
   */
  run(generation: Generation): void {
    const tracked: Tracked = { generation, done: generation.run(), readers: 0 };
    this.running.set(generation.streamId, tracked);
    this.startGrace(tracked, Math.max(this.resumeGraceMs, FIRST_READER_WAIT_MS));
    void tracked.done.finally(() => {
      clearTimeout(tracked.graceTimer);
      this.running.delete(generation.streamId);
    });
  }

  /** Interrupts a running generation; false if none runs under that id. */
  interrupt(streamId: string, reason: InterruptReason): boolean {
    const tracked = this.running.get(streamId);
    if (!tracked) return false;
    tracked.generation.interrupt(reason);
    return true;
  }

  /**
   * A delivery started reading `streamId`. The returned function ends it; when the last reader of a
   * running generation leaves, the grace period starts (`0`: the generation is cancelled at once).
   */
  attachReader(streamId: string): () => void {
    this.openDeliveries += 1;
    const tracked = this.running.get(streamId);
    if (tracked) {
      tracked.readers += 1;
      clearTimeout(tracked.graceTimer);
      tracked.graceTimer = undefined;
    }
    let attached = true;
    return () => {
      if (!attached) return;
      attached = false;
      this.openDeliveries -= 1;
      if (!tracked || !this.running.has(streamId)) return;
      tracked.readers -= 1;
      if (tracked.readers > 0) return;
      if (this.resumeGraceMs === 0) return tracked.generation.interrupt('abandoned');
      this.startGrace(tracked, this.resumeGraceMs);
    };
  }

  private startGrace(tracked: Tracked, graceMs: number): void {
    clearTimeout(tracked.graceTimer);
    tracked.graceTimer = setTimeout(() => {
      this.logger.log(
        { streamId: tracked.generation.streamId, graceMs },
        'no reader came back: cancelling',
      );
      tracked.generation.interrupt('abandoned');
    }, graceMs);
  }

  /**
   * Shutdown: refuse new streams, give generations in flight `drainMs` to finish, end the rest with
   * `server_shutting_down`, then wait (at most `flushMs`) for readers to receive their last frames.
   */
  async drain(drainMs: number, flushMs: number): Promise<void> {
    this.draining = true;
    const inFlight = [...this.running.values()];
    this.logger.log({ generations: inFlight.length, drainMs }, 'draining');
    await within(drainMs, Promise.allSettled(inFlight.map((tracked) => tracked.done)));
    const left = [...this.running.values()];
    for (const tracked of left) tracked.generation.interrupt('shutdown');
    await within(flushMs, Promise.allSettled(left.map((tracked) => tracked.done)));
    // At least one turn: a delivery that just ended may still be writing its last bytes, and the
    // connections still open are closed once this returns.
    const deadline = Date.now() + flushMs;
    do {
      await new Promise((resolve) => setTimeout(resolve, FLUSH_POLL_MS));
    } while (this.openDeliveries > 0 && Date.now() < deadline);
  }
}

/** Waits for `promise`, but no longer than `ms`. */
async function within(ms: number, promise: Promise<unknown>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
