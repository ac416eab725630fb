import type { OnApplicationShutdown } from '@nestjs/common';
import { isTerminalFrame, type StreamFrame } from '@tokenstream/stream-contracts';
import { createHash, randomUUID } from 'node:crypto';
import {
  DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
  withCommandTimeout,
} from '../redis/redis-command-timeout';
import {
  APPEND,
  APPEND_REPLY,
  CREATE,
  CREATE_REPLY,
  EPOCH,
  HEARTBEAT,
  READ,
  USAGE,
  appendArgument,
  type Script,
} from './redis-stream-scripts';
import { entryId, seqOfEntry } from './redis-stream-entry-id';
import { RedisStreamTail, type TailRedisClient } from './redis-stream-tail';
import { LOST_FRAME } from './generation';
import type {
  IdempotentStream,
  AppendResult,
  HeartbeatReply,
  HeartbeatReport,
  NewStream,
  StoredFrame,
  StreamInfo,
  StreamStoreLimits,
} from './stream-store';
import type { StoreUsage } from '../shared/store-usage';
import { StoreFullError, StreamClosedError, StreamStore } from './stream-store';

/** Where the store's keys live unless told: one prefix, so they are easy to find and to drop. */
export const DEFAULT_STREAM_KEY_PREFIX = 'tokenstream:streams:';

/**
 * How long an instance's hold on a stream it generates lasts unless renewed (its heartbeat renews
 * it every half second; `STREAM_LEASE_MS`). Once it lapses, the next heartbeat of any instance ends the stream with
 * `generation_lost`. Long enough that an instance busy enough to miss heartbeats for several
 * seconds (a long GC, a saturated event loop) is not taken for dead.
 */
export const DEFAULT_LEASE_MS = 10_000;

/** How long an instance's note that it reads a stream lasts unless renewed by its heartbeat. */
export const DEFAULT_READERS_NOTE_MS = 2_000;

const LOST_JSON = JSON.stringify(LOST_FRAME);

/** How many of the frames it appended lately the store keeps per stream read on this instance. */
const RECENT_FRAMES = 64;

/** The most streams one {@link APPEND} carries: a script blocks Redis while it runs. */
const APPENDS_PER_SCRIPT = 50;

/** What {@link APPEND} answers for one stream. */
type AppendReply = [status: number, lastSeq?: number, bytes?: number];

/** An append waiting for the next {@link APPEND}, and how to answer its caller. */
interface PendingAppend {
  streamId: string;
  frames: readonly StreamFrame[];
  jsons: string[];
  afterSeq: number | undefined;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** What a script's arguments look like to node-redis. */
interface ScriptArguments {
  keys: string[];
  arguments: string[];
}

/**
 * The part of a node-redis client (`RedisClientType`) the store uses, so that any client, with or
 * without modules, will do.
 */
export interface StreamRedisClient extends TailRedisClient {
  eval(script: string, options: ScriptArguments): Promise<unknown>;
  evalSha(sha1: string, options: ScriptArguments): Promise<unknown>;
  hGetAll(key: string): Promise<Record<string, string>>;
  get(key: string): Promise<string | null>;
}

/** How a {@link RedisStreamStore} names its keys and how long it waits for Redis. */
export interface RedisStreamStoreOptions {
  /** Where the store's keys live ({@link DEFAULT_STREAM_KEY_PREFIX} unless told). */
  prefix?: string;
  /** How long any one call may wait for Redis before it fails (`RedisCommandTimeoutError`). */
  commandTimeoutMs?: number;
  /** This instance, as its heartbeats name it (random unless told). */
  instanceId?: string;
  /** How long a lease lasts unless renewed ({@link DEFAULT_LEASE_MS} unless told). */
  leaseMs?: number;
  /** How long a note of readers lasts unless renewed ({@link DEFAULT_READERS_NOTE_MS}). */
  readersNoteMs?: number;
}

/** The holder of an idempotency key, as {@link CREATE} keeps it: `<fingerprint> <stream id>`. */
function holderOf(value: string): IdempotentStream {
  const space = value.indexOf(' ');
  return { fingerprint: value.slice(0, space), streamId: value.slice(space + 1) };
}

/** A stream entry as XRANGE returns it from a script: its id and its fields, `json` alone. */
type RawEntry = [id: string, fields: [field: string, json: string]];

/**
 * Streams shared by every instance through one Redis (not a Cluster: the scripts evict streams
 * whose keys they name themselves). Each stream is a hash of its info and a Redis Stream of its
 * frames, the entry `0-<seq>` holding a frame's JSON; the byte budget and the leases are kept in five keys beside
 * them. Each change to the budget (`create`, `append`) is one Lua script on the server's clock, so
 * it is atomic across instances. A finished stream's keys expire with its retention.
 *
 * Unlike {@link MemoryStreamStore}, it cannot see who reads a stream on other instances: a stream
 * being read may be evicted, or expire, under its readers. `watch` follows every watched stream of
 * this instance on one connection of its own ({@link RedisStreamTail}).
 *
 * Every call gives up after `commandTimeoutMs` with a `RedisCommandTimeoutError`, so a stalled
 * Redis fails a request rather than hang it. Giving up does not take the command back: Redis may
 * still run it when it wakes (an append then lands although its caller saw it fail).
 */
export class RedisStreamStore extends StreamStore implements OnApplicationShutdown {
  /** Every instance reads and writes the same streams. */
  readonly shared = true;
  private readonly prefix: string;
  /** The budget's keys, in the order the scripts take them. */
  private readonly budgetKeys: readonly string[];
  /** Where a stream's info and frames live, with its id appended: the scripts name them so too. */
  private readonly stems: readonly [info: string, frames: string];
  private readonly commandTimeoutMs: number;
  private readonly instanceId: string;
  private readonly leaseMs: number;
  private readonly readersNoteMs: number;
  private readonly tail: RedisStreamTail;
  /**
   * The frames this instance appended lately to streams read here, by stream: its readers (the
   * `POST` that started a reply reads it where it is generated) read them from here rather than
   * from Redis, and are woken at once rather than by the tail's XREAD.
   */
  private readonly recent = new Map<string, StoredFrame[]>();
  /**
   * The appends made since the last {@link APPEND} was sent: they go together in the next. On a
   * busy instance every stream has an append waiting for Redis at any moment; as one command each,
   * what node-redis and the timeout hold for a command outlived V8's young generation and filled
   * the old one (bench/README.md, issue 21).
   */
  private appends: PendingAppend[] = [];
  /** Whether {@link appends} are to be sent at the end of this turn. */
  private sendScheduled = false;

  /**
   * `client` must be connected; the store never connects, quits or closes it, only the connection
   * it makes for `watch` (closed by {@link close}).
   */
  constructor(
    private readonly client: StreamRedisClient,
    private readonly limits: StreamStoreLimits,
    options: RedisStreamStoreOptions = {},
  ) {
    super();
    if (limits.maxStoreBytes < limits.maxStreamBytes) {
      throw new Error('the store must have room for at least one stream at its size limit');
    }
    this.prefix = options.prefix ?? DEFAULT_STREAM_KEY_PREFIX;
    this.budgetKeys = ['running', 'finished', 'finished-bytes', 'totals', 'leases'].map(
      (name) => this.prefix + name,
    );
    this.stems = [`${this.prefix}info:`, `${this.prefix}frames:`];
    this.commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS;
    this.instanceId = options.instanceId ?? randomUUID();
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.readersNoteMs = options.readersNoteMs ?? DEFAULT_READERS_NOTE_MS;
    // The streams this instance appends to wake their readers here themselves (`keepRecent`, by
    // the tail's `notify`); a frame another instance appends to one (a stop, a lapsed lease)
    // reaches it through the heartbeat, which ends the generation, whose next append then hands
    // the stream back (`forgetRecent`, by the tail's `refollow`).
    this.tail = new RedisStreamTail(client, this.commandTimeoutMs);
  }

  async create({ streamId, model, owner, idempotency }: NewStream) {
    const reply = await this.run(
      CREATE,
      [
        ...this.budgetKeys,
        this.infoKey(streamId),
        this.epochKey(),
        this.idempotencyKey(idempotency?.key ?? ''),
      ],
      ...this.stems,
      streamId,
      model,
      owner,
      String(this.limits.maxStreamBytes),
      String(this.limits.maxStoreBytes),
      String(this.leaseMs),
      idempotency?.fingerprint ?? '',
      String(idempotency?.ttlMs ?? 0),
    );
    if (reply === CREATE_REPLY.storeFull) throw new StoreFullError();
    if (reply === CREATE_REPLY.exists) throw new Error(`stream ${streamId} exists already`);
    if (Array.isArray(reply)) return holderOf(String(reply[1]));
    return undefined;
  }

  async findIdempotent(key: string): Promise<IdempotentStream | undefined> {
    const holder = await this.bounded(this.client.get(this.idempotencyKey(key)));
    return holder ? holderOf(holder) : undefined;
  }

  append(
    streamId: string,
    frames: readonly StreamFrame[],
    afterSeq?: number,
  ): Promise<AppendResult> {
    if (frames.some((frame, i) => i < frames.length - 1 && isTerminalFrame(frame))) {
      return Promise.reject(new Error('a terminal frame may only come last'));
    }
    const jsons = frames.map((frame) => JSON.stringify(frame));
    // Not async, and answered from the script's reply: what waits for Redis is this one promise
    // and the append it answers, nothing more.
    return new Promise((resolve, reject) => {
      const waiting = this.appends.push({ streamId, frames, jsons, afterSeq, resolve, reject });
      // A full script goes at once: node-redis writes in a `setImmediate`, and one set from within
      // an immediate waits for the next turn of the loop. The rest go at the end of this turn.
      if (waiting >= APPENDS_PER_SCRIPT) {
        this.sendAppends();
      } else if (!this.sendScheduled) {
        this.sendScheduled = true;
        setImmediate(() => {
          this.sendScheduled = false;
          this.sendAppends();
        });
      }
    });
  }

  /** Sends the appends made this turn, {@link APPENDS_PER_SCRIPT} streams to a script. */
  private sendAppends(): void {
    const appends = this.appends;
    this.appends = [];
    for (let from = 0; from < appends.length; from += APPENDS_PER_SCRIPT) {
      const batch = appends.slice(from, from + APPENDS_PER_SCRIPT);
      const args = [...this.stems, String(this.limits.retentionMs)];
      for (const { streamId, frames, jsons, afterSeq } of batch) {
        const last = frames.at(-1);
        args.push(
          appendArgument(streamId, jsons, last !== undefined && isTerminalFrame(last), afterSeq),
        );
      }
      void this.run(APPEND, [...this.budgetKeys], ...args).then(
        (replies) =>
          batch.forEach((append, i) => this.appended(append, (replies as AppendReply[])[i])),
        (error: unknown) => batch.forEach((append) => append.reject(error)),
      );
    }
  }

  /** Answers an append from its stream's part of the script's reply. */
  private appended(
    { streamId, frames, jsons, resolve, reject }: PendingAppend,
    reply: AppendReply,
  ) {
    if (reply[0] === APPEND_REPLY.closed) {
      this.forgetRecent(streamId);
      return reject(new StreamClosedError(streamId));
    }
    const [, lastSeq = 0, streamBytes = 0] = reply;
    this.keepRecent(streamId, lastSeq, frames, jsons);
    resolve({ lastSeq, overLimit: streamBytes > this.limits.maxStreamBytes });
  }

  /** Keeps what was just appended for the stream's readers here, if it has any, and wakes them. */
  private keepRecent(
    streamId: string,
    lastSeq: number,
    frames: readonly StreamFrame[],
    jsons: string[],
  ): void {
    const key = this.framesKey(streamId);
    if (!this.tail.isFollowed(key)) return;
    const first = lastSeq - frames.length + 1;
    let kept = this.recent.get(streamId);
    // Contiguous with what is kept, or it starts again from these. Added to in place: a copy per
    // append would outlive the young generation (it waits for the next one) for nothing.
    if (kept?.at(-1)?.seq !== first - 1) {
      kept = [];
      this.recent.set(streamId, kept);
    }
    for (let i = 0; i < frames.length; i += 1) {
      kept.push({ seq: first + i, frame: frames[i], json: jsons[i] });
    }
    if (kept.length > RECENT_FRAMES) kept.splice(0, kept.length - RECENT_FRAMES);
    this.tail.notify(key);
  }

  /**
   * Stops answering reads of the stream from what this instance appended, and wakes its readers
   * to read Redis: it was ended by another hand, or went with Redis's data, which only Redis says.
   */
  private forgetRecent(streamId: string): void {
    if (this.recent.delete(streamId)) this.tail.refollow(this.framesKey(streamId));
  }

  /**
   * The frames after `afterSeq` from what this instance appended, when that answers for Redis:
   * they are kept from that position on, and the tail has seen nothing newer in Redis (a stop
   * written by another instance, say). Otherwise undefined: Redis answers.
   */
  private readRecent(streamId: string, afterSeq: number, maxFrames: number) {
    const kept = this.recent.get(streamId);
    if (!kept || afterSeq + 1 < kept[0].seq) return undefined;
    const keptLast = kept[kept.length - 1].seq;
    if (afterSeq < keptLast) {
      const from = afterSeq + 1 - kept[0].seq;
      return kept.slice(from, from + maxFrames);
    }
    const seen = this.tail.lastSeen(this.framesKey(streamId));
    return seen !== undefined && seen <= keptLast ? [] : undefined;
  }

  async info(streamId: string): Promise<StreamInfo | undefined> {
    const fields = await this.bounded(this.client.hGetAll(this.infoKey(streamId)));
    if (fields['state'] === undefined) return undefined;
    const info: StreamInfo = {
      streamId,
      model: fields['model'] ?? '',
      owner: fields['owner'] ?? '',
      state: fields['state'] === 'finished' ? 'finished' : 'running',
      lastSeq: Number(fields['lastSeq']),
      createdAt: Number(fields['createdAt']),
    };
    if (info.state === 'finished') info.finishedAt = Number(fields['finishedAt']);
    return info;
  }

  async read(
    streamId: string,
    afterSeq: number,
    maxFrames = Infinity,
  ): Promise<StoredFrame[] | undefined> {
    const recent = this.readRecent(streamId, afterSeq, maxFrames);
    if (recent) return recent;
    const entries = (await this.run(
      READ,
      [this.infoKey(streamId), this.framesKey(streamId)],
      entryId(Math.max(0, afterSeq) + 1),
      maxFrames === Infinity ? '' : String(Math.max(0, maxFrames)),
    )) as RawEntry[] | null;
    return entries?.map(([id, [, json]]) => ({
      seq: seqOfEntry(id),
      frame: JSON.parse(json) as StreamFrame,
      json,
    }));
  }

  watch(streamId: string, onChange: () => void): () => void {
    const key = this.framesKey(streamId);
    const unwatch = this.tail.watch(key, onChange);
    return () => {
      unwatch();
      if (!this.tail.isFollowed(key)) this.recent.delete(streamId);
    };
  }

  /**
   * Renews this instance's leases, notes what it reads, ends the streams whose lease lapsed (their
   * instance is gone) with `generation_lost`, and answers what another hand did: see {@link
   * HEARTBEAT}.
   */
  async heartbeat({ generating, reading }: HeartbeatReport): Promise<HeartbeatReply> {
    const [endedElsewhere, readElsewhere] = (await this.run(
      HEARTBEAT,
      [...this.budgetKeys],
      ...this.stems,
      `${this.prefix}readers:`,
      this.instanceId,
      String(this.leaseMs),
      String(this.readersNoteMs),
      String(this.limits.retentionMs),
      LOST_JSON,
      String(generating.length),
      ...generating,
      String(reading.length),
      ...reading,
    )) as [string[], string[]];
    return { endedElsewhere, readElsewhere };
  }

  /** Since when Redis has held its data: a Redis that came back empty starts again ({@link EPOCH}). */
  async heldSince(): Promise<number> {
    return (await this.run(EPOCH, [this.epochKey()])) as number;
  }

  async usage(): Promise<StoreUsage> {
    const [streams, bytes, reservedBytes] = (await this.run(
      USAGE,
      [...this.budgetKeys],
      ...this.stems,
    )) as [number, number, number];
    return { streams, bytes, reservedBytes, maxBytes: this.limits.maxStoreBytes };
  }

  /** Stops following streams and closes the connection `watch` made; the main one stays open. */
  async close(): Promise<void> {
    await this.tail.close();
  }

  /** After the drain (Nest runs `onModuleDestroy` before it): readers may follow until then. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /** An idempotency key's key: hashed, so a caller's key of any length or bytes names one. */
  private idempotencyKey(key: string): string {
    return `${this.prefix}idempotency:${createHash('sha256').update(key).digest('base64url')}`;
  }

  private epochKey(): string {
    return `${this.prefix}epoch`;
  }

  private infoKey(streamId: string): string {
    return this.stems[0] + streamId;
  }

  private framesKey(streamId: string): string {
    return this.stems[1] + streamId;
  }

  /** Runs `script`, giving up after `commandTimeoutMs`. */
  private run(script: Script, keys: string[], ...args: string[]): Promise<unknown> {
    return this.bounded(this.evaluate(script, { keys, arguments: args }));
  }

  private bounded<T>(command: Promise<T>): Promise<T> {
    return withCommandTimeout(command, this.commandTimeoutMs);
  }

  /** Runs `script` by its SHA1, sending its text only when the server has not cached it. */
  private async evaluate(script: Script, options: ScriptArguments): Promise<unknown> {
    try {
      return await this.client.evalSha(script.sha1, options);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
      return this.client.eval(script.source, options);
    }
  }
}
