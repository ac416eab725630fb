import { Logger } from '@nestjs/common';
import { withCommandTimeout } from '../redis/redis-command-timeout';
import { backoffDelay } from '../shared/backoff-delay';
import { entryId, seqOfEntry } from './redis-stream-entry-id';

/**
 * How long one XREAD waits for new entries. A stream first watched just as an XREAD sets out (its
 * CLIENT UNBLOCK reaching Redis first) is left out of it: it waits this long at most for its next
 * frame. Long enough that an idle tail costs Redis about one command a second.
 */
const BLOCK_MS = 1_000;

/**
 * The most entries one XREAD returns per stream. The tail only needs the last id (readers read the
 * frames themselves), so a long backlog comes back in a few small replies rather than one big one;
 * one generation's batch of frames usually fits in one.
 */
const ENTRIES_PER_READ = 64;

/** The wait after a failed XREAD: 100 ms, doubling with each failure in a row, up to 2 s. */
const RETRY_BACKOFF = { firstMs: 100, maxMs: 2_000 };

/** The connection the tail blocks on: a node-redis client (`RedisClientType`), in part. */
export interface BlockingRedisConnection {
  connect(): Promise<unknown>;
  clientId(): Promise<number>;
  xRead(
    streams: { key: string; id: string }[],
    options: { BLOCK: number; COUNT: number },
  ): Promise<unknown>;
  destroy(): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** What the tail needs of the store's main connection: a node-redis client, in part. */
export interface TailRedisClient {
  /** The options it was made with: the tail's connection goes where it does. */
  readonly options?: { socket?: object };
  /** A new connection with the same options but `overrides`, not yet connected. */
  duplicate(overrides: { socket: { reconnectStrategy: false } }): BlockingRedisConnection;
  xRevRange(key: string, end: string, start: string, options: { COUNT: number }): Promise<unknown>;
  clientUnblock(clientId: number): Promise<unknown>;
}

/** The reply of XREAD as node-redis gives it (RESP2): null when it timed out or was unblocked. */
type XReadReply = { name: string; messages: { id: string }[] }[] | null;

/** One followed stream: who watches it and the position of the last entry the tail has seen. */
interface Followed {
  watchers: Set<() => void>;
  /** Unknown until the stream's current last entry has been fetched: until then it is not read. */
  lastSeq?: number;
  /**
   * This instance appends to it and wakes its watchers itself ({@link RedisStreamTail.notify}):
   * it is left out of the XREAD, which would only bring back, to wake nobody new, every frame it
   * appended, until {@link RedisStreamTail.refollow} says otherwise.
   */
  wakesItself?: boolean;
}

/**
 * Follows any number of Redis streams on one dedicated connection, for {@link RedisStreamStore}'s
 * `watch`: a loop of `XREAD BLOCK … STREAMS k1 k2 … id1 id2 …` over every watched stream, each
 * from the last entry the tail has seen. New entries wake the stream's watchers (once per reply),
 * whichever instance appended them; the watchers then read what is new themselves.
 *
 * The connection is made on the first watch (`duplicate()` of the main one), and the loop idles
 * while nothing is watched. After a failure it waits (100 ms, doubling to 2 s), starts again on a
 * new connection (a stalled one may still owe a reply) and then wakes every watcher once, as they
 * may have missed a wake-up meanwhile.
 */
export class RedisStreamTail {
  private readonly logger = new Logger(RedisStreamTail.name);
  /** Followed streams by key. */
  private readonly followed = new Map<string, Followed>();
  private connection?: BlockingRedisConnection;
  /** The connection's CLIENT ID, to unblock it; known once it is connected. */
  private connectionId?: number;
  /** Whether an XREAD is in flight: only then is there something to unblock. */
  private reading = false;
  private loop?: Promise<void>;
  private closed = false;
  /** Ends the loop's current wait (idle, or after a failure) early. */
  private wake?: () => void;
  /** Whether the loop waits for a stream to follow (rather than to try again after a failure). */
  private idle = false;

  /** `client` is the store's connected main client; `commandTimeoutMs` bounds each command. */
  constructor(
    private readonly client: TailRedisClient,
    private readonly commandTimeoutMs: number,
  ) {}

  /**
   * Calls `onChange` when entries are added to the stream at `key`, and once as soon as the tail
   * follows it (so an entry added between the caller's last read and this call is never missed);
   * never from within this call. Returns the unsubscribe.
   */
  watch(key: string, onChange: () => void): () => void {
    if (this.closed) return () => undefined;
    // A watcher of its own, so that one function watching twice is two watchers.
    const watcher = () => onChange();
    let followed = this.followed.get(key);
    if (!followed) {
      followed = { watchers: new Set() };
      this.followed.set(key, followed);
      void this.follow(key, followed);
    } else if (followed.lastSeq !== undefined) {
      const known = followed;
      queueMicrotask(() => {
        if (known.watchers.has(watcher)) this.call(watcher);
      });
    }
    // Otherwise `follow` is still fetching the stream's last entry and calls every watcher then.
    followed.watchers.add(watcher);
    this.loop ??= this.run();
    const unwatched = followed;
    return () => {
      unwatched.watchers.delete(watcher);
      // Left in an XREAD in flight, it comes back at most once more, to nobody.
      if (unwatched.watchers.size === 0 && this.followed.get(key) === unwatched) {
        this.followed.delete(key);
      }
    };
  }

  /** Whether anyone on this instance watches the stream at `key`. */
  isFollowed(key: string): boolean {
    return this.followed.has(key);
  }

  /**
   * The position of the last entry the tail has seen in the stream at `key` (undefined while it
   * does not know yet): nothing newer is known to be in Redis.
   */
  lastSeen(key: string): number | undefined {
    return this.followed.get(key)?.lastSeq;
  }

  /** Takes `key` back into the XREAD (this instance no longer appends to it), and wakes it. */
  refollow(key: string): void {
    const followed = this.followed.get(key);
    if (!followed) return;
    followed.wakesItself = false;
    this.interrupt();
    for (const watcher of followed.watchers) this.call(watcher);
  }

  /**
   * Wakes the watchers of `key` now: this instance just appended to it, and wakes them itself
   * from now on (until {@link refollow}).
   */
  notify(key: string): void {
    const followed = this.followed.get(key);
    if (!followed) return;
    followed.wakesItself = true;
    for (const watcher of followed.watchers) this.call(watcher);
  }

  /** Stops the loop and closes the connection; resolves once the loop has ended. */
  async close(): Promise<void> {
    this.closed = true;
    this.followed.clear();
    this.wake?.();
    this.dropConnection();
    await this.loop;
  }

  /** Starts following `key` from its current last entry, then wakes the XREAD to include it. */
  private async follow(key: string, followed: Followed): Promise<void> {
    let lastSeq = 0;
    try {
      const last = (await withCommandTimeout(
        this.client.xRevRange(key, '+', '-', { COUNT: 1 }),
        this.commandTimeoutMs,
      )) as { id: string }[] | null;
      lastSeq = last?.[0] ? seqOfEntry(last[0].id) : 0;
    } catch {
      // From the start then: a wake-up too many rather than one missed.
    }
    if (this.followed.get(key) !== followed) return; // everyone left meanwhile
    followed.lastSeq = lastSeq;
    this.interrupt();
    for (const watcher of followed.watchers) this.call(watcher);
  }

  /** Makes the loop take up the set of followed streams now rather than after its XREAD. */
  private interrupt(): void {
    if (this.idle) this.wake?.();
    if (!this.reading || this.connectionId === undefined) return;
    // Ends the XREAD as if it had timed out. If it has not reached Redis yet, this unblocks
    // nothing, and the new stream waits for the next XREAD (BLOCK_MS at most).
    void withCommandTimeout(
      this.client.clientUnblock(this.connectionId),
      this.commandTimeoutMs,
    ).catch(() => undefined);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      // Each from its last entry; a stream whose last entry is still being fetched waits.
      const streams: { key: string; id: string }[] = [];
      for (const [key, { lastSeq, wakesItself }] of this.followed) {
        if (lastSeq !== undefined && !wakesItself) streams.push({ key, id: entryId(lastSeq) });
      }
      if (streams.length === 0) {
        this.idle = true;
        await this.pause();
        this.idle = false;
        continue;
      }
      let reply: XReadReply;
      try {
        reply = await this.read(streams);
      } catch (error) {
        if (this.closed) break;
        if (failures === 0) this.logger.warn({ err: error }, 'cannot follow streams; retrying');
        this.dropConnection();
        await this.pause(backoffDelay(failures, RETRY_BACKOFF));
        failures += 1;
        continue;
      }
      if (failures > 0) {
        this.logger.log('following streams again');
        failures = 0;
        for (const followed of [...this.followed.values()]) {
          for (const watcher of followed.watchers) this.call(watcher);
        }
      }
      for (const { name, messages } of reply ?? []) {
        const followed = this.followed.get(name);
        const last = messages.at(-1);
        if (!followed || !last) continue;
        followed.lastSeq = Math.max(followed.lastSeq ?? 0, seqOfEntry(last.id));
        for (const watcher of followed.watchers) this.call(watcher);
      }
    }
  }

  /** One XREAD BLOCK on the tail's connection, made first if need be. */
  private async read(streams: { key: string; id: string }[]): Promise<XReadReply> {
    const connection = await this.connect();
    this.reading = true;
    try {
      const reading = connection.xRead(streams, { BLOCK: BLOCK_MS, COUNT: ENTRIES_PER_READ });
      return (await withCommandTimeout(reading, BLOCK_MS + this.commandTimeoutMs)) as XReadReply;
    } finally {
      this.reading = false;
    }
  }

  private async connect(): Promise<BlockingRedisConnection> {
    if (this.connection) return this.connection;
    // The loop makes a new connection after a failure: one that reconnected by itself as well
    // could come back after the loop has let go of it, and stay open, unused.
    const socket = { ...this.client.options?.socket, reconnectStrategy: false as const };
    const connection = this.client.duplicate({ socket });
    // Its failures reach the loop as failed commands; without a listener node-redis would throw.
    connection.on('error', () => undefined);
    // Kept at once, so that `close` or a failure can destroy it while it connects.
    this.connection = connection;
    await withCommandTimeout(connection.connect(), this.commandTimeoutMs);
    this.connectionId = await withCommandTimeout(connection.clientId(), this.commandTimeoutMs);
    return connection;
  }

  /** Destroys the connection (its pending XREAD fails at once); the next read makes a new one. */
  private dropConnection(): void {
    this.connection?.destroy();
    this.connection = undefined;
    this.connectionId = undefined;
  }

  /** Waits until woken, or `ms` if given, whichever is first. */
  private pause(ms?: number): Promise<void> {
    return new Promise((done) => {
      const timer = ms === undefined ? undefined : setTimeout(() => this.wake?.(), ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        done();
      };
    });
  }

  /** Calls a watcher; one that throws must not stop the others, nor the loop. */
  private call(watcher: () => void): void {
    try {
      watcher();
    } catch (error) {
      this.logger.error({ err: error }, 'a stream watcher failed');
    }
  }
}
