import { Logger, type OnModuleDestroy } from '@nestjs/common';
import { isTerminalFrame, type StreamFrame } from '@tokenstream/stream-contracts';
import type { AppendResult, StoredFrame, StreamInfo } from './stream-store';
import { StreamStore } from './stream-store';

/** Limits of the in-memory store. */
export interface MemoryStoreLimits {
  retentionMs: number;
  maxStreamBytes: number;
  maxStoreBytes: number;
}

interface StreamEntry {
  info: StreamInfo;
  frames: StoredFrame[];
  bytes: number;
  watchers: Set<() => void>;
}

/** How often finished streams past their retention are swept out. */
const SWEEP_INTERVAL_MS = 10_000;

/** A frame's cost: the length of its JSON, which is what it takes on the wire and about in memory. */
function sizeOf(frame: StreamFrame): number {
  return JSON.stringify(frame).length;
}

/**
 * The default store: this process's memory, bounded per stream and in total. Finished streams stay
 * readable for the retention time; past the total bound the oldest finished ones go first.
 */
export class MemoryStreamStore extends StreamStore implements OnModuleDestroy {
  private readonly logger = new Logger(MemoryStreamStore.name);
  private readonly streams = new Map<string, StreamEntry>();
  /** Finished streams, oldest first (a Map keeps insertion order). */
  private readonly finished = new Map<string, StreamEntry>();
  private totalBytes = 0;
  private readonly sweeper: ReturnType<typeof setInterval>;

  constructor(
    private readonly limits: MemoryStoreLimits,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.sweeper = setInterval(() => this.evictExpired(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  /** Bytes held by every stream's frames. */
  get size(): number {
    return this.totalBytes;
  }

  get streamCount(): number {
    return this.streams.size;
  }

  usage(): { streams: number; bytes: number; maxBytes: number } {
    this.evictExpired();
    return {
      streams: this.streams.size,
      bytes: this.totalBytes,
      maxBytes: this.limits.maxStoreBytes,
    };
  }

  create(streamId: string, model: string, owner: string): void {
    if (this.streams.has(streamId)) throw new Error(`stream ${streamId} exists already`);
    this.evictExpired();
    const info: StreamInfo = {
      streamId,
      model,
      owner,
      state: 'running',
      lastSeq: 0,
      createdAt: this.now(),
    };
    this.streams.set(streamId, { info, frames: [], bytes: 0, watchers: new Set() });
  }

  append(streamId: string, frame: StreamFrame): AppendResult {
    const entry = this.streams.get(streamId);
    if (!entry) throw new Error(`stream ${streamId} is not in the store`);
    if (entry.info.state === 'finished') throw new Error(`stream ${streamId} has finished`);
    const seq = entry.info.lastSeq + 1;
    const bytes = sizeOf(frame);
    entry.frames.push({ seq, frame });
    entry.info.lastSeq = seq;
    entry.bytes += bytes;
    this.totalBytes += bytes;
    if (isTerminalFrame(frame)) {
      entry.info.state = 'finished';
      entry.info.finishedAt = this.now();
      this.finished.set(streamId, entry);
    }
    this.evictOverBudget();
    for (const watcher of [...entry.watchers]) watcher();
    return { seq, overLimit: entry.bytes > this.limits.maxStreamBytes };
  }

  info(streamId: string): StreamInfo | undefined {
    const entry = this.live(streamId);
    return entry && { ...entry.info };
  }

  read(streamId: string, afterSeq: number): StoredFrame[] | undefined {
    const entry = this.live(streamId);
    if (!entry) return undefined;
    // Positions are dense and start at 1, so the frame after `afterSeq` sits at index `afterSeq`.
    return entry.frames.slice(Math.max(0, afterSeq));
  }

  watch(streamId: string, onChange: () => void): () => void {
    const entry = this.streams.get(streamId);
    if (!entry) return () => undefined;
    entry.watchers.add(onChange);
    return () => entry.watchers.delete(onChange);
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  /** The entry, unless it has outlived its retention (then it is evicted on the spot). */
  private live(streamId: string): StreamEntry | undefined {
    const entry = this.streams.get(streamId);
    if (entry && this.isExpired(entry)) {
      this.evict(entry, 'retention');
      return undefined;
    }
    return entry;
  }

  private isExpired(entry: StreamEntry): boolean {
    const { finishedAt } = entry.info;
    return finishedAt !== undefined && this.now() - finishedAt >= this.limits.retentionMs;
  }

  private evictExpired(): void {
    for (const entry of this.finished.values()) {
      if (!this.isExpired(entry)) break; // oldest first: the rest finished later
      this.evict(entry, 'retention');
    }
  }

  /** Past the total bound, the oldest finished streams go first; running ones are never evicted. */
  private evictOverBudget(): void {
    for (const entry of this.finished.values()) {
      if (this.totalBytes <= this.limits.maxStoreBytes) return;
      this.evict(entry, 'memory');
    }
  }

  private evict(entry: StreamEntry, why: 'retention' | 'memory'): void {
    const { streamId } = entry.info;
    this.streams.delete(streamId);
    this.finished.delete(streamId);
    this.totalBytes -= entry.bytes;
    if (why === 'memory') {
      this.logger.warn(
        { streamId, bytes: entry.bytes, totalBytes: this.totalBytes },
        'stream evicted: store full',
      );
    }
    // Readers still on it learn that it is gone.
    for (const watcher of [...entry.watchers]) watcher();
    entry.watchers.clear();
  }
}
