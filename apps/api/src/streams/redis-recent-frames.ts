import type { StreamFrame } from '@tokenstream/stream-contracts';
import type { RedisStreamKeys } from './redis-stream-keys';
import type { RedisStreamTail } from './redis-stream-tail';
import { storedFrame, type StoredFrame } from './stream-store';

/** How many of the frames it appended lately the store keeps per stream read on this instance. */
const RECENT_FRAMES = 64;

/**
 * The frames this instance appended lately to streams read here, by stream: its readers (the
 * `POST` that started a reply reads it where it is generated) read them from here rather than
 * from Redis, and are woken at once rather than by the tail's XREAD.
 */
export class RedisRecentFrames {
  private readonly byStream = new Map<string, StoredFrame[]>();

  constructor(
    private readonly tail: RedisStreamTail,
    private readonly keys: RedisStreamKeys,
  ) {}

  /** Keeps what was just appended for the stream's readers here, if it has any, and wakes them. */
  keep(streamId: string, lastSeq: number, frames: readonly StreamFrame[], jsons: string[]): void {
    const key = this.keys.frames(streamId);
    if (!this.tail.isFollowed(key)) return;
    const first = lastSeq - frames.length + 1;
    let kept = this.byStream.get(streamId);
    // Contiguous with what is kept, or it starts again from these. Added to in place: a copy per
    // append would outlive the young generation (it waits for the next one) for nothing.
    if (kept?.at(-1)?.seq !== first - 1) {
      kept = [];
      this.byStream.set(streamId, kept);
    }
    for (let i = 0; i < frames.length; i += 1) {
      kept.push(storedFrame(first + i, frames[i], jsons[i]));
    }
    if (kept.length > RECENT_FRAMES) kept.splice(0, kept.length - RECENT_FRAMES);
    this.tail.notify(key);
  }

  /**
   * Stops answering reads of the stream from what this instance appended, and wakes its readers
   * to read Redis: it was ended by another hand, or went with Redis's data, which only Redis says.
   */
  forget(streamId: string): void {
    if (this.byStream.delete(streamId)) this.tail.refollow(this.keys.frames(streamId));
  }

  /** Drops what is kept for the stream once nobody here follows it any more. */
  unwatched(streamId: string): void {
    if (!this.tail.isFollowed(this.keys.frames(streamId))) this.byStream.delete(streamId);
  }

  /**
   * The frames after `afterSeq` from what this instance appended, when that answers for Redis:
   * they are kept from that position on, and the tail has seen nothing newer in Redis (a stop
   * written by another instance, say). Otherwise undefined: Redis answers.
   */
  read(streamId: string, afterSeq: number, maxFrames: number): StoredFrame[] | undefined {
    const kept = this.byStream.get(streamId);
    if (!kept || afterSeq + 1 < kept[0].seq) return undefined;
    const keptLast = kept[kept.length - 1].seq;
    if (afterSeq < keptLast) {
      const from = afterSeq + 1 - kept[0].seq;
      return kept.slice(from, from + maxFrames);
    }
    const seen = this.tail.lastSeen(this.keys.frames(streamId));
    return seen !== undefined && seen <= keptLast ? [] : undefined;
  }
}
