import { createHash } from 'node:crypto';

/**
 * The names of a {@link RedisStreamStore}'s keys, every one under its prefix: the scripts take the
 * budget's keys in this order and name a stream's keys from the same stems.
 */
export class RedisStreamKeys {
  /** The budget's keys, in the order the scripts take them. */
  readonly budget: readonly string[];
  /** Where a stream's info and frames live, with its id appended: the scripts name them so too. */
  readonly stems: readonly [info: string, frames: string];
  /** Where the note of which instances read a stream lives, with its id appended. */
  readonly readersStem: string;
  /** Since when Redis has held the store's data. */
  readonly epoch: string;

  constructor(private readonly prefix: string) {
    this.budget = ['running', 'finished', 'finished-bytes', 'totals', 'leases'].map(
      (name) => prefix + name,
    );
    this.stems = [`${prefix}info:`, `${prefix}frames:`];
    this.readersStem = `${prefix}readers:`;
    this.epoch = `${prefix}epoch`;
  }

  /** A stream's info: a hash of its state, owner and size. */
  info(streamId: string): string {
    return this.stems[0] + streamId;
  }

  /** A stream's frames: a Redis Stream whose entry `0-<seq>` holds the frame's JSON. */
  frames(streamId: string): string {
    return this.stems[1] + streamId;
  }

  /** An idempotency key's key: hashed, so a caller's key of any length or bytes names one. */
  idempotency(key: string): string {
    return `${this.prefix}idempotency:${createHash('sha256').update(key).digest('base64url')}`;
  }
}
