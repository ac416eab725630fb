import { CONCURRENCY_RETRY_AFTER_MS } from '../limits/stream-limiter';
import { limitExceeded } from '../limits/limit-exceeded';
import type { ApiMetrics } from '../metrics/api-metrics';

/** The bounds on concurrent readers; `0` is no bound. */
export interface ReaderBounds {
  /** Readers (the `POST` that started a stream and every `GET` on it) of one stream at once. */
  perStream: number;
  /** Streams one caller reads at once, over all its streams. */
  perCaller: number;
}

/**
 * Counts the readers this process delivers to, per stream and per caller, so that nobody can hold
 * an unbounded number of connections open: every reader costs a socket and a little memory.
 */
export class ReaderLimits {
  private readonly perStream = new Map<string, number>();
  private readonly perCaller = new Map<string, number>();

  constructor(
    private readonly bounds: ReaderBounds,
    private readonly metrics?: Pick<ApiMetrics, 'rateLimited'>,
  ) {}

  /**
   * Counts a new reader of `streamId` for `callerId` and returns what counts it out (once, however
   * often it is called); throws the `429` of the bound it would pass, counting nothing.
   */
  acquire(streamId: string, callerId: string): () => void {
    if (this.isFull(this.perStream, streamId, this.bounds.perStream)) {
      throw this.refuse('readersPerStream', this.bounds.perStream);
    }
    if (this.isFull(this.perCaller, callerId, this.bounds.perCaller)) {
      throw this.refuse('readersPerCaller', this.bounds.perCaller);
    }
    add(this.perStream, streamId, 1);
    add(this.perCaller, callerId, 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      add(this.perStream, streamId, -1);
      add(this.perCaller, callerId, -1);
    };
  }

  private isFull(counts: Map<string, number>, key: string, bound: number): boolean {
    return bound > 0 && (counts.get(key) ?? 0) >= bound;
  }

  private refuse(name: 'readersPerStream' | 'readersPerCaller', bound: number) {
    this.metrics?.rateLimited(name);
    return limitExceeded(name, bound, CONCURRENCY_RETRY_AFTER_MS);
  }
}

/** Adds `by` to `key`'s count, forgetting keys that reach 0 so the maps hold only open readers. */
function add(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next === 0) counts.delete(key);
  else counts.set(key, next);
}
