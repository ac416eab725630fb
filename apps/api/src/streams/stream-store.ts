import type { StreamFrame } from '@tokenstream/stream-contracts';

/** A frame as the store holds it: its position in the stream (1, 2, 3 …) and the frame. */
export interface StoredFrame {
  seq: number;
  frame: StreamFrame;
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

/**
 * Where generations write their frames and deliveries read them. A generation appends
 * sequence-numbered frames; a delivery reads from any position and is told when more arrive, so
 * replay, resume and several readers need no special cases. In memory by default; the interface
 * is what a shared store (Redis) implements for several instances.
 */
export abstract class StreamStore {
  /** Opens a new, empty stream that belongs to `owner`. */
  abstract create(streamId: string, model: string, owner: string): void;
  /** Appends a frame; a terminal frame (`finish`, `error`) finishes the stream. */
  abstract append(streamId: string, frame: StreamFrame): AppendResult;
  /** The stream's state, or `undefined` if it never existed or has been evicted. */
  abstract info(streamId: string): StreamInfo | undefined;
  /** The frames after position `afterSeq`, or `undefined` if the stream is unknown or evicted. */
  abstract read(streamId: string, afterSeq: number): StoredFrame[] | undefined;
  /** Calls `onChange` after each append to the stream and when it is evicted; returns the unsubscribe. */
  abstract watch(streamId: string, onChange: () => void): () => void;
  /** How much the store holds, for health checks and capacity planning. */
  abstract usage(): { streams: number; bytes: number; maxBytes: number };
}
