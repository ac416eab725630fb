import { Logger } from '@nestjs/common';
import type { Generation } from './generation';
import type { InterruptReason } from './interrupt-reason';

/** How often a shutdown looks whether every reader has received its last frame. */
const FLUSH_POLL_MS = 20;

/** How long a new generation waits for the request that started it to begin reading. */
const FIRST_READER_WAIT_MS = 1_000;

interface Tracked {
  generation: Generation;
  done: Promise<void>;
  graceTimer?: ReturnType<typeof setTimeout>;
}

/**
 * The generations this process runs, and who reads streams here. It keeps stop apart from
 * disconnect: a stop interrupts at once, while a generation whose last reader left goes on for the
 * grace period so the reader can come back (here, or on another instance), and is cancelled only
 * if nobody does.
 */
export class GenerationRegistry {
  private readonly logger = new Logger(GenerationRegistry.name);
  private readonly running = new Map<string, Tracked>();
  /** Readers on this instance, per stream, whoever generates it. */
  private readonly readers = new Map<string, number>();
  /** How to let each open delivery go, for a shutdown that hands its readers to other instances. */
  private readonly deliveries = new Set<() => void>();
  private draining = false;
  /** Set once a shutdown let the readers go: they moved, so no grace period starts for them. */
  private readersMoved = false;

  constructor(private readonly resumeGraceMs: number) {}

  /** True once shutdown has begun: no new stream may start. */
  get isDraining(): boolean {
    return this.draining;
  }

  /** Generations running right now. */
  get size(): number {
    return this.running.size;
  }

  /** The ids of the streams this instance generates right now. */
  generatingIds(): string[] {
    return [...this.running.keys()];
  }

  /** The ids of the streams read on this instance right now. */
  readIds(): string[] {
    return [...this.readers.keys()];
  }

  /**
   * Runs `generation` and tracks it until it ends. Its first reader is expected at once (the request
   * that started it); if none ever comes, it is cancelled like an abandoned one.
   */
  run(generation: Generation): void {
    const tracked: Tracked = { generation, done: generation.run() };
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
   * A delivery started reading `streamId`; `letGo` ends it without a last frame (see {@link
   * drain}). The returned function ends it; when the last reader of a running generation leaves,
   * the grace period starts (`0`: the generation is cancelled at once).
   */
  attachReader(streamId: string, letGo: () => void = () => undefined): () => void {
    this.readers.set(streamId, (this.readers.get(streamId) ?? 0) + 1);
    this.deliveries.add(letGo);
    const tracked = this.running.get(streamId);
    if (tracked) {
      clearTimeout(tracked.graceTimer);
      tracked.graceTimer = undefined;
    }
    let attached = true;
    return () => {
      if (!attached) return;
      attached = false;
      this.deliveries.delete(letGo);
      const left = (this.readers.get(streamId) ?? 1) - 1;
      if (left > 0) return void this.readers.set(streamId, left);
      this.readers.delete(streamId);
      if (!tracked || !this.running.has(streamId) || this.readersMoved) return;
      if (this.resumeGraceMs === 0) return tracked.generation.interrupt('abandoned');
      this.startGrace(tracked, this.resumeGraceMs);
    };
  }

  /**
   * What the stream store's heartbeat found: generations of this instance that another instance
   * ended (a stop sent there, or the generation judged lost), to be stopped here too; and
   * generations read on another instance, whose grace period starts over, as their readers are
   * not gone but moved.
   */
  heard(endedElsewhere: readonly string[], readElsewhere: readonly string[]): void {
    for (const streamId of endedElsewhere) this.interrupt(streamId, 'ended-elsewhere');
    for (const streamId of readElsewhere) {
      const tracked = this.running.get(streamId);
      if (tracked?.graceTimer) this.startGrace(tracked, this.resumeGraceMs);
    }
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
   * With `letReadersGo` (streams shared with other instances), the readers are let go first,
   * without a last frame: they resume on another instance and read on from the shared store while
   * this one finishes what it generates.
   */
  async drain(drainMs: number, flushMs: number, letReadersGo = false): Promise<void> {
    this.draining = true;
    if (letReadersGo) {
      this.readersMoved = true;
      this.logger.log({ readers: this.deliveries.size }, 'letting readers go to other instances');
      for (const letGo of [...this.deliveries]) letGo();
    }
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
    } while (this.deliveries.size > 0 && Date.now() < deadline);
  }
}

/** Waits for `promise`, but no longer than `ms`. */
async function within(ms: number, promise: Promise<unknown>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
