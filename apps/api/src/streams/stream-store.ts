import type { StreamFrame } from '@tokenstream/stream-contracts';

/** A frame as the store holds it: its position in the stream (1, 2, 3 …) and the frame. */
export interface StoredFrame {
  seq: number;
  frame: StreamFrame;
  /**
   * `JSON.stringify(frame)`, made once when the frame is appended: the bytes every reader is sent
   * and the store's measure of the frame's size.
   */
  json: string;
}

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

/** What `append` reports besides the frame's position. */
export interface AppendResult {
  seq: number;
  /** True once the stream holds more than its size limit: the caller should end it. */
  overLimit: boolean;
}

/** How much the store holds and may hold, for health checks, metrics and capacity planning. */
export interface StoreUsage {
  streams: number;
  /** Bytes the frames take now. */
  bytes: number;
  /** Bytes spoken for: every running stream at its size limit, every finished one as it is. */
  reservedBytes: number;
  maxBytes: number;
}

/**
 * Thrown by {@link StreamStore.create} when a new stream cannot fit: running streams and streams
 * that readers are following leave no room, and they are never evicted to make some.
 */
export class StoreFullError extends Error {
  constructor() {
    super('the stream store is full');
    this.name = 'StoreFullError';
  }
}

/**
 * Where generations write their frames and deliveries read them. A generation appends
 * sequence-numbered frames; a delivery reads from any position and is told when more arrive, so
 * replay, resume and several readers need no special cases. In memory by default; the interface
 * is what a shared store (Redis) implements for several instances.
 *
 * Its byte budget is a real limit: a new stream is admitted only if it could grow to its size
 * limit within the budget, so a running stream never has to be evicted, and neither does a
 * finished stream that a reader is following (it is watched).
 */
export abstract class StreamStore {
  /** Opens a new, empty stream that belongs to `owner`; throws {@link StoreFullError}. */
  abstract create(streamId: string, model: string, owner: string): void;
  /** Appends a frame; a terminal frame (`finish`, `error`) finishes the stream. */
  abstract append(streamId: string, frame: StreamFrame): AppendResult;
  /** The stream's state, or `undefined` if it never existed or has been evicted. */
  abstract info(streamId: string): StreamInfo | undefined;
  /**
   * At most `maxFrames` frames after position `afterSeq`, or `undefined` if the stream is unknown
   * or evicted.
   */
  abstract read(streamId: string, afterSeq: number, maxFrames?: number): StoredFrame[] | undefined;
  /**
   * Calls `onChange` after each append to the stream; returns the unsubscribe. While watched, a
   * stream is not evicted.
   */
  abstract watch(streamId: string, onChange: () => void): () => void;
  /** How much the store holds. */
  abstract usage(): StoreUsage;
}
