import { Injectable } from '@nestjs/common';
import type { Generation } from './generation';

/**
 * The generations running in this process, so that a shutdown can end each one with a retryable
 * `server_shutting_down` frame instead of cutting its socket, and refuse new ones meanwhile.
 */
@Injectable()
export class ActiveStreams {
  private readonly running = new Map<string, { generation: Generation; done: Promise<void> }>();
  private draining = false;

  /** True once shutdown has begun: no new stream may start. */
  get isDraining(): boolean {
    return this.draining;
  }

  get size(): number {
    return this.running.size;
  }

  /** Tracks a generation until `done` (its response has closed) settles. */
  add(generation: Generation, done: Promise<void>): void {
    this.running.set(generation.streamId, { generation, done });
    void done.finally(() => this.running.delete(generation.streamId));
  }

  /** Refuses new streams, ends the running ones, and waits (bounded) for their last bytes to go out. */
  async drain(flushTimeoutMs: number): Promise<void> {
    this.draining = true;
    const entries = [...this.running.values()];
    for (const { generation } of entries) generation.interrupt('shutdown');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, flushTimeoutMs)));
    await Promise.race([Promise.allSettled(entries.map((entry) => entry.done)), timeout]);
    clearTimeout(timer);
  }
}
