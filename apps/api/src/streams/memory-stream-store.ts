import { Logger, type OnModuleDestroy } from '@nestjs/common';
import { isTerminalFrame, type StreamFrame } from '@tokenstream/stream-contracts';
import type {
  IdempotentStream,
  AppendResult,
  HeartbeatReply,
  HeartbeatReport,
  NewStream,
  StoredFrame,
  StreamInfo,
  StreamStoreLimits,
  StreamWatcher,
} from './stream-store';
import { repeatEvery } from '../shared/repeat-every';
import type { StoreUsage } from '../shared/store-usage';
import type { FrameWriter, StreamWriterEvents } from './frame-writer';
import { ImmediateFrameWriter } from './immediate-frame-writer';
import { StoreFullError, StreamClosedError, StreamStore, storedFrame } from './stream-store';

interface StreamEntry {
  info: StreamInfo;
  frames: StoredFrame[];
  bytes: number;
  watchers: Set<StreamWatcher>;
}

/** How often finished streams past their retention are swept out. */
const SWEEP_INTERVAL_MS = 10_000;

/**
 * The default store: this process's memory, bounded per stream and in total. A running stream is
 * counted at its size limit, as it may grow to it; a finished one at its size. Finished streams
 * stay readable for the retention time; when a new stream needs room, the oldest finished ones
 * nobody is reading go first. Its answers are ready at once; they come as promises because a
 * shared store's cannot be, except on the hot path: its writer stores each token within `write`
 * and hands it to the stream's watchers there and then.
 */
export class MemoryStreamStore extends StreamStore implements OnModuleDestroy {
  private readonly logger = new Logger(MemoryStreamStore.name);
  private readonly streams = new Map<string, StreamEntry>();
  /** Finished streams, oldest first (a Map keeps insertion order). */
  private readonly finished = new Map<string, StreamEntry>();
  /** Idempotency keys: the stream each belongs to, until when. */
  private readonly keys = new Map<string, IdempotentStream & { until: number }>();
  private totalBytes = 0;
  /** Bytes spoken for: running streams at their limit (or past it), finished ones as they are. */
  private reservedBytes = 0;
  private readonly stopSweeps: () => void;
  private readonly createdAt: number;

  constructor(
    private readonly limits: StreamStoreLimits,
    private readonly now: () => number = Date.now,
  ) {
    super();
    if (limits.maxStoreBytes < limits.maxStreamBytes) {
      throw new Error('the store must have room for at least one stream at its size limit');
    }
    this.createdAt = now();
    this.stopSweeps = repeatEvery(SWEEP_INTERVAL_MS, () => this.evictExpired());
  }

  /** Bytes held by every stream's frames. */
  get size(): number {
    return this.totalBytes;
  }

  get streamCount(): number {
    return this.streams.size;
  }

  /** Only this instance reads and writes it. */
  readonly shared = false;

  /** Nobody else can end or read its streams: a stream ended is one this instance ended. */
  async heartbeat({ generating }: HeartbeatReport): Promise<HeartbeatReply> {
    const endedElsewhere = generating.filter(
      (streamId) => this.live(streamId)?.info.state !== 'running',
    );
    return { endedElsewhere, readElsewhere: [] };
  }

  /** Since this process made it: a restart forgets every stream. */
  async heldSince(): Promise<number> {
    return this.createdAt;
  }

  async usage(): Promise<StoreUsage> {
    this.evictExpired();
    return {
      streams: this.streams.size,
      bytes: this.totalBytes,
      reservedBytes: this.reservedBytes,
      maxBytes: this.limits.maxStoreBytes,
    };
  }

  async create({ streamId, model, owner, idempotency }: NewStream) {
    if (this.streams.has(streamId)) throw new Error(`stream ${streamId} exists already`);
    this.evictExpired();
    // No await before the stream is made: two creates with one key cannot both find it free.
    const holder = idempotency && this.holderOf(idempotency.key);
    if (holder) return holder;
    this.makeRoom(this.limits.maxStreamBytes);
    const info: StreamInfo = {
      streamId,
      model,
      owner,
      state: 'running',
      lastSeq: 0,
      createdAt: this.now(),
    };
    this.streams.set(streamId, { info, frames: [], bytes: 0, watchers: new Set() });
    this.reservedBytes += this.limits.maxStreamBytes;
    if (idempotency) {
      const { key, fingerprint, ttlMs } = idempotency;
      this.keys.set(key, { streamId, fingerprint, until: this.now() + ttlMs });
    }
    return undefined;
  }

  async findIdempotent(key: string): Promise<IdempotentStream | undefined> {
    return this.holderOf(key);
  }

  private holderOf(key: string): IdempotentStream | undefined {
    const held = this.keys.get(key);
    if (!held || held.until <= this.now()) return undefined;
    return { streamId: held.streamId, fingerprint: held.fingerprint };
  }

  async append(
    streamId: string,
    frames: readonly StreamFrame[],
    afterSeq?: number,
  ): Promise<AppendResult> {
    return this.appendNow(streamId, frames, afterSeq);
  }

  /** Stores each frame within `write`, its readers handed it there and then. */
  writer(streamId: string, events: StreamWriterEvents): FrameWriter {
    return new ImmediateFrameWriter((frame) => this.appendNow(streamId, [frame]).overLimit, events);
  }

  /**
   * `append`, done before it returns: the one routine behind `append` and the writer, which calls
   * it once per token, so a single frame takes no step it does not need. Throws what `append`
   * rejects with.
   */
  private appendNow(
    streamId: string,
    frames: readonly StreamFrame[],
    afterSeq?: number,
  ): AppendResult {
    // The last frame may be terminal, so a single one has nothing to check.
    for (let i = 0; i < frames.length - 1; i += 1) {
      if (isTerminalFrame(frames[i])) throw new Error('a terminal frame may only come last');
    }
    const entry = this.streams.get(streamId);
    if (entry && afterSeq !== undefined && entry.info.lastSeq !== afterSeq) {
      // Already appended by this very call (a retry): answer as then.
      const last = entry.frames[entry.frames.length - 1];
      const again =
        entry.info.lastSeq === afterSeq + frames.length &&
        last?.json === JSON.stringify(frames[frames.length - 1]);
      if (!again) throw new StreamClosedError(streamId);
      return { lastSeq: entry.info.lastSeq, overLimit: entry.bytes > this.limits.maxStreamBytes };
    }
    if (!entry || entry.info.state === 'finished') throw new StreamClosedError(streamId);
    const reservedBefore = this.reservationOf(entry);
    for (const frame of frames) {
      const json = JSON.stringify(frame);
      // A frame's cost: the length of its JSON, what it takes on the wire and about in memory.
      entry.frames.push(storedFrame(++entry.info.lastSeq, frame, json));
      entry.bytes += json.length;
      this.totalBytes += json.length;
      if (isTerminalFrame(frame)) {
        entry.info.state = 'finished';
        entry.info.finishedAt = this.now();
        this.finished.set(streamId, entry);
        // The events encoded for its live readers go: a finished stream is kept for the rare
        // reader that comes back, at the size the budget counts (its JSON), not twice that.
        for (const stored of entry.frames) stored.sse = undefined;
      }
    }
    this.reservedBytes += this.reservationOf(entry) - reservedBefore;
    const result = {
      lastSeq: entry.info.lastSeq,
      overLimit: entry.bytes > this.limits.maxStreamBytes,
    };
    // Last, with the books balanced: a reader handed its stream's last frame stops watching, which
    // may evict the stream there and then.
    if (entry.watchers.size > 0) {
      this.tell(entry, entry.frames.slice(entry.frames.length - frames.length));
    }
    return result;
  }

  /**
   * Hands the frames just appended to the stream's watchers. One that throws (a reader's write)
   * must neither keep the frames from the others nor fail the append, which is already done.
   */
  private tell(entry: StreamEntry, appended: readonly StoredFrame[]): void {
    // A Set's iteration skips what is deleted during it: a reader that stops at this frame is fine.
    for (const watcher of entry.watchers) {
      try {
        watcher(appended);
      } catch (error) {
        this.logger.error({ err: error, streamId: entry.info.streamId }, 'a stream watcher failed');
      }
    }
  }

  async info(streamId: string): Promise<StreamInfo | undefined> {
    const entry = this.live(streamId);
    return entry && { ...entry.info };
  }

  async read(
    streamId: string,
    afterSeq: number,
    maxFrames = Infinity,
  ): Promise<StoredFrame[] | undefined> {
    const entry = this.live(streamId);
    if (!entry) return undefined;
    // Positions are dense and start at 1, so the frame after `afterSeq` sits at index `afterSeq`.
    const from = Math.max(0, afterSeq);
    return entry.frames.slice(from, from + maxFrames);
  }

  /** `onChange` is handed the frames each append stores, as they are stored. */
  watch(streamId: string, onChange: StreamWatcher): () => void {
    const entry = this.streams.get(streamId);
    if (!entry) return () => undefined;
    entry.watchers.add(onChange);
    return () => {
      entry.watchers.delete(onChange);
      // It may have expired while it was read: the last reader gone, it can go too.
      if (entry.watchers.size === 0 && this.isExpired(entry)) this.evict(entry, 'retention');
    };
  }

  onModuleDestroy(): void {
    this.stopSweeps();
  }

  /** What `entry` counts for against the budget. */
  private reservationOf(entry: StreamEntry): number {
    return entry.info.state === 'running'
      ? Math.max(entry.bytes, this.limits.maxStreamBytes)
      : entry.bytes;
  }

  /** The entry, unless it has outlived its retention and nobody reads it (then it goes now). */
  private live(streamId: string): StreamEntry | undefined {
    const entry = this.streams.get(streamId);
    if (entry && this.isExpired(entry) && entry.watchers.size === 0) {
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
    // Held for one length of time each, so the oldest come first: stop at the first still held.
    for (const [key, held] of this.keys) {
      if (held.until > this.now()) break;
      this.keys.delete(key);
    }
    for (const entry of this.finished.values()) {
      if (!this.isExpired(entry)) break; // oldest first: the rest finished later
      if (entry.watchers.size === 0) this.evict(entry, 'retention');
    }
  }

  /**
   * Evicts the oldest finished streams nobody is reading until `bytes` more fit in the budget;
   * throws {@link StoreFullError}, evicting nothing, when they would not be enough.
   */
  private makeRoom(bytes: number): void {
    const excess = this.reservedBytes + bytes - this.limits.maxStoreBytes;
    if (excess <= 0) return;
    const victims: StreamEntry[] = [];
    let freed = 0;
    for (const entry of this.finished.values()) {
      if (freed >= excess) break;
      if (entry.watchers.size > 0) continue;
      victims.push(entry);
      freed += entry.bytes;
    }
    if (freed < excess) throw new StoreFullError();
    for (const entry of victims) this.evict(entry, 'memory');
  }

  private evict(entry: StreamEntry, why: 'retention' | 'memory'): void {
    const { streamId } = entry.info;
    if (this.streams.get(streamId) !== entry) return;
    this.streams.delete(streamId);
    this.finished.delete(streamId);
    this.totalBytes -= entry.bytes;
    this.reservedBytes -= this.reservationOf(entry);
    if (why === 'memory') {
      this.logger.log(
        { streamId, bytes: entry.bytes, totalBytes: this.totalBytes },
        'stream evicted to make room',
      );
    }
  }
}
