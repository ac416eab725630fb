import type { StreamFrame } from '@tokenstream/stream-contracts';

/** What a writer tells the generation it writes for. */
export interface StreamWriterEvents {
  /** The stream passed its size limit: the generation should end. */
  onOverLimit(): void;
  /**
   * The frames cannot be stored: the stream was ended by someone else (`StreamClosedError`), or a
   * shared store kept failing for as long as its writer waits. Said once; nothing more is written.
   */
  onLost(error: unknown): void;
}

/**
 * Writes one generation's frames to its stream, in order, as `StreamStore.writer` makes it for
 * its store: at once in memory, batched for a shared store. `write` never throws and never
 * waits; what goes wrong reaches the {@link StreamWriterEvents}, possibly from within `write`.
 */
export interface FrameWriter {
  /** Stores `frame` after those written before it (at once, or as soon as the store can). */
  write(frame: StreamFrame): void;
  /** Resolves once every frame written so far is stored, or given up; never rejects. */
  flushed(): Promise<void>;
}
