import type { StreamFrame } from '@tokenstream/stream-contracts';
import type { StoreUsage } from '../shared/store-usage';
import type { FrameWriter, StreamWriterEvents } from './frame-writer';

/** A frame as the store holds it: its position in the stream (1, 2, 3 …) and the frame. */
export interface StoredFrame {
  seq: number;
  frame: StreamFrame;
  /**
   * `JSON.stringify(frame)`, made once when the frame is appended: the bytes every reader is sent
   * and the store's measure of the frame's size.
   */
  json: string;
  /**
   * The frame's bytes as a server-sent event with its position as id, made by the first reader
   * that sends it (`encodeFrameBatch`) and sent as they are by every other: readers of one frame
   * share an object, so N readers encode it once. A store may drop them (the memory store does
   * when a stream finishes): they are made again when needed.
   */
  sse?: Buffer;
}

/**
 * A frame as a store makes it, {@link StoredFrame.sse} not made yet. The field is there from the
 * start, empty: V8 makes an object with room for the properties it is made with, and keeps one
 * added later in storage of its own, an allocation more per frame.
 */
export function storedFrame(seq: number, frame: StreamFrame, json: string): StoredFrame {
  return { seq, frame, json, sse: undefined };
}

/**
 * What {@link StreamStore.watch} calls when a stream grows: with the frames just appended when the
 * store has them at hand, else with nothing (read what is new).
 */
export type StreamWatcher = (appended?: readonly StoredFrame[]) => void;

/** What the store knows of a stream. */
export interface StreamInfo {
  streamId: string;
  model: string;
  /** The id of the principal who started it: only they may read, resume or stop it. */
  owner: string;
  /** `finished` once its `finish` or `error` frame is stored: nothing follows. */
  state: 'running' | 'finished';
  /** The position of its last frame (0 before the first). */
  lastSeq: number;
  createdAt: number;
  finishedAt?: number;
}

/** What a new stream starts with. */
export interface NewStream {
  streamId: string;
  model: string;
  /** The id of the principal who starts it. */
  owner: string;
  /** The request's idempotency key, taken with the stream if no other stream holds it. */
  idempotency?: IdempotencyClaim;
}

/** An idempotency key as a stream holds it. */
export interface IdempotencyClaim {
  /** The key, scoped to its caller. */
  key: string;
  /** A digest of the request that brought it: the same key with another request is a conflict. */
  fingerprint: string;
  /** How long the key is held (past that it may start a new stream). */
  ttlMs: number;
}

/** The stream an idempotency key already belongs to. */
export interface IdempotentStream {
  streamId: string;
  fingerprint: string;
}

/** What `append` reports. */
export interface AppendResult {
  /** The position of the last frame appended. */
  lastSeq: number;
  /** True once the stream holds more than its size limit: the caller should end it. */
  overLimit: boolean;
}

/** What an instance tells a shared store at each heartbeat. */
export interface HeartbeatReport {
  /** The running streams this instance generates: its leases on them are renewed. */
  generating: readonly string[];
  /** The streams this instance has readers of. */
  reading: readonly string[];
}

/** What the store answers a heartbeat. */
export interface HeartbeatReply {
  /** Of the streams reported as generating, those another hand has ended (a stop, or lost). */
  endedElsewhere: string[];
  /** Of the streams reported as generating, those read on another instance now. */
  readElsewhere: string[];
}

/** The limits every store keeps, from the `streams` settings. */
export interface StreamStoreLimits {
  /** How long a finished stream stays readable. */
  retentionMs: number;
  /** The size past which a stream is over its limit (`AppendResult.overLimit`). */
  maxStreamBytes: number;
  /** The store's byte budget: running streams at `maxStreamBytes`, finished ones as they are. */
  maxStoreBytes: number;
}

/**
 * Thrown by {@link StreamStore.create} when a new stream cannot fit: running streams leave no
 * room, and they are never evicted to make some (nor, in the memory store, streams being read).
 */
export class StoreFullError extends Error {
  constructor() {
    super('the stream store is full');
    this.name = 'StoreFullError';
  }
}

/**
 * Thrown by {@link StreamStore.append} for a stream that already has its last frame (or that the
 * store does not hold): exactly one `finish` or `error` ends a stream, whoever else tries.
 */
export class StreamClosedError extends Error {
  constructor(readonly streamId: string) {
    super(`stream ${streamId} has ended or is not in the store`);
    this.name = 'StreamClosedError';
  }
}

/**
 * Where generations write their frames and deliveries read them. A generation appends
 * sequence-numbered frames; a delivery reads from any position and is told when more arrive, so
 * replay, resume and several readers need no special cases. In memory by default
 * ({@link MemoryStreamStore}); in Redis when instances share their streams ({@link
 * RedisStreamStore}). Both pass one contract suite (`stream-store.contract.ts`).
 *
 * Its byte budget is a real limit: a new stream is admitted only if it could grow to its size
 * limit within the budget, so a running stream never has to be evicted.
 */
export abstract class StreamStore {
  /**
   * Opens a new, empty stream; rejects with {@link StoreFullError} when it cannot fit. With an
   * idempotency key that another stream already holds, it opens nothing and answers that stream
   * (atomically, across instances: of two requests racing with one key, one stream is made).
   */
  abstract create(stream: NewStream): Promise<IdempotentStream | undefined>;
  /** The stream holding idempotency key `key`, if one does. */
  abstract findIdempotent(key: string): Promise<IdempotentStream | undefined>;
  /**
   * Appends `frames` in order, numbered on from the stream's last position. A terminal frame
   * (`finish`, `error`) finishes the stream and may only come last. Rejects with {@link
   * StreamClosedError}, appending nothing, when the stream has finished or is unknown. With
   * `afterSeq`, it appends only after that position; a call sent again after its answer was lost
   * (these very frames are already last) answers as the first did, so a retry never doubles text.
   */
  abstract append(
    streamId: string,
    frames: readonly StreamFrame[],
    afterSeq?: number,
  ): Promise<AppendResult>;
  /**
   * A writer of one generation's frames to stream `streamId`, the way this store is written best
   * (each frame at once in memory, batched for a shared store). It tells `events` when the
   * stream passes its size limit, and once if the frames cannot be stored (the stream ended or
   * unknown: {@link StreamClosedError}); it writes nothing after that.
   */
  abstract writer(streamId: string, events: StreamWriterEvents): FrameWriter;
  /** The stream's state, or `undefined` if it never existed or has expired. */
  abstract info(streamId: string): Promise<StreamInfo | undefined>;
  /**
   * At most `maxFrames` frames after position `afterSeq`, or `undefined` if the stream is unknown
   * or expired.
   */
  abstract read(
    streamId: string,
    afterSeq: number,
    maxFrames?: number,
  ): Promise<StoredFrame[] | undefined>;
  /**
   * Calls `onChange` when frames were appended to the stream (once for several, possibly; and
   * possibly with nothing new, e.g. once a shared store is reachable again), from this instance or
   * another; returns the unsubscribe. A store that has the frames at hand passes those just
   * appended, in order (the very objects `read` answers with), and a reader that has every frame
   * before them needs no read; without them, the reader reads what is new.
   */
  abstract watch(streamId: string, onChange: StreamWatcher): () => void;
  /** How much the store holds. */
  abstract usage(): Promise<StoreUsage>;
  /**
   * Since when the store has held every stream made on it (until each one's retention): since it
   * was made, or since a shared store last came back without its data. A stream made before that
   * and not found was lost with the data, not expired.
   */
  abstract heldSince(): Promise<number>;
  /** True when other instances read and write the same streams (they share this store). */
  abstract readonly shared: boolean;
  /**
   * One beat of this instance ({@link LeaseHeartbeat}): renews its hold on the streams it
   * generates (a stream whose holder stops beating for the lease time is ended, by any instance,
   * with a retryable `generation_lost`), notes what it reads, and answers which of its streams
   * another hand ended and which are read elsewhere.
   */
  abstract heartbeat(report: HeartbeatReport): Promise<HeartbeatReply>;
}
