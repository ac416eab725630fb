import type { OnApplicationShutdown } from '@nestjs/common';
import type { StreamFrame } from '@tokenstream/stream-contracts';
import { randomUUID } from 'node:crypto';
import {
  DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
  withCommandTimeout,
} from '../redis/redis-command-timeout';
import type { StoreUsage } from '../shared/store-usage';
import type { FrameWriter, StreamWriterEvents } from './frame-writer';
import { LOST_FRAME } from './generation';
import { RedisRecentFrames } from './redis-recent-frames';
import { evaluateScript, type Script, type ScriptRedisClient } from './redis-script';
import { RedisStreamAppends } from './redis-stream-appends';
import { entryId, seqOfEntry } from './redis-stream-entry-id';
import { RedisStreamKeys } from './redis-stream-keys';
import { CREATE, CREATE_REPLY, EPOCH, HEARTBEAT, READ, USAGE } from './redis-stream-scripts';
import { RedisStreamTail, type TailRedisClient } from './redis-stream-tail';
import {
  StoreFullError,
  StreamStore,
  storedFrame,
  type AppendResult,
  type HeartbeatReply,
  type HeartbeatReport,
  type IdempotentStream,
  type NewStream,
  type StoredFrame,
  type StreamInfo,
  type StreamStoreLimits,
  type StreamWatcher,
} from './stream-store';
import { StreamWriter } from './stream-writer';

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

/**
 * The part of a node-redis client (`RedisClientType`) the store uses, so that any client, with or
 * without modules, will do.
 */
export interface StreamRedisClient extends TailRedisClient, ScriptRedisClient {
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
 * this instance on one connection of its own ({@link RedisStreamTail}). The appends of one turn of
 * the event loop go to Redis together ({@link RedisStreamAppends}), and readers on this instance
 * read what it just appended from its memory ({@link RedisRecentFrames}).
 *
 * Every call gives up after `commandTimeoutMs` with a `RedisCommandTimeoutError`, so a stalled
 * Redis fails a request rather than hang it. Giving up does not take the command back: Redis may
 * still run it when it wakes (an append then lands although its caller saw it fail).
 */
export class RedisStreamStore extends StreamStore implements OnApplicationShutdown {
  /** Every instance reads and writes the same streams. */
  readonly shared = true;
  private readonly keys: RedisStreamKeys;
  private readonly commandTimeoutMs: number;
  private readonly instanceId: string;
  private readonly leaseMs: number;
  private readonly readersNoteMs: number;
  private readonly tail: RedisStreamTail;
  private readonly recent: RedisRecentFrames;
  private readonly appends: RedisStreamAppends;

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
    this.keys = new RedisStreamKeys(options.prefix ?? DEFAULT_STREAM_KEY_PREFIX);
    this.commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS;
    this.instanceId = options.instanceId ?? randomUUID();
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.readersNoteMs = options.readersNoteMs ?? DEFAULT_READERS_NOTE_MS;
    // The streams this instance appends to wake their readers here themselves (`keep`, by the
    // tail's `notify`); a frame another instance appends to one (a stop, a lapsed lease)
    // reaches it through the heartbeat, which ends the generation, whose next append then hands
    // the stream back (`forget`, by the tail's `refollow`).
    this.tail = new RedisStreamTail(client, this.commandTimeoutMs);
    this.recent = new RedisRecentFrames(this.tail, this.keys);
    this.appends = new RedisStreamAppends(
      (script, keys, ...args) => this.run(script, keys, ...args),
      this.keys,
      limits,
      this.recent,
    );
  }

  async create({ streamId, model, owner, idempotency }: NewStream) {
    const reply = await this.run(
      CREATE,
      [
        ...this.keys.budget,
        this.keys.info(streamId),
        this.keys.epoch,
        this.keys.idempotency(idempotency?.key ?? ''),
      ],
      ...this.keys.stems,
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
    const holder = await this.bounded(this.client.get(this.keys.idempotency(key)));
    return holder ? holderOf(holder) : undefined;
  }

  append(
    streamId: string,
    frames: readonly StreamFrame[],
    afterSeq?: number,
  ): Promise<AppendResult> {
    return this.appends.append(streamId, frames, afterSeq);
  }

  /** Batched: one append in flight, what comes meanwhile in the next ({@link StreamWriter}). */
  writer(streamId: string, events: StreamWriterEvents): FrameWriter {
    return new StreamWriter(this, streamId, events);
  }

  async info(streamId: string): Promise<StreamInfo | undefined> {
    const fields = await this.bounded(this.client.hGetAll(this.keys.info(streamId)));
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
    const recent = this.recent.read(streamId, afterSeq, maxFrames);
    if (recent) return recent;
    const entries = (await this.run(
      READ,
      [this.keys.info(streamId), this.keys.frames(streamId)],
      entryId(Math.max(0, afterSeq) + 1),
      maxFrames === Infinity ? '' : String(Math.max(0, maxFrames)),
    )) as RawEntry[] | null;
    return entries?.map(([id, [, json]]) =>
      storedFrame(seqOfEntry(id), JSON.parse(json) as StreamFrame, json),
    );
  }

  /** `onChange` is handed nothing: its readers read what is new (from memory, if appended here). */
  watch(streamId: string, onChange: StreamWatcher): () => void {
    const unwatch = this.tail.watch(this.keys.frames(streamId), onChange);
    return () => {
      unwatch();
      this.recent.unwatched(streamId);
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
      [...this.keys.budget],
      ...this.keys.stems,
      this.keys.readersStem,
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
    return (await this.run(EPOCH, [this.keys.epoch])) as number;
  }

  async usage(): Promise<StoreUsage> {
    const [streams, bytes, reservedBytes] = (await this.run(
      USAGE,
      [...this.keys.budget],
      ...this.keys.stems,
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

  /** Runs `script`, giving up after `commandTimeoutMs`. */
  private run(script: Script, keys: string[], ...args: string[]): Promise<unknown> {
    return this.bounded(evaluateScript(this.client, script, { keys, arguments: args }));
  }

  private bounded<T>(command: Promise<T>): Promise<T> {
    return withCommandTimeout(command, this.commandTimeoutMs);
  }
}
