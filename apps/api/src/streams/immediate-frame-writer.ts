import type { StreamFrame } from '@tokenstream/stream-contracts';
import type { FrameWriter, StreamWriterEvents } from './frame-writer';

/**
 * Stores one frame at once and answers whether the stream is now past its size limit; throws
 * when it cannot store it (the stream ended, or is unknown).
 */
export type AppendNow = (frame: StreamFrame) => boolean;

/** Nothing is ever waiting to be stored. */
const FLUSHED: Promise<void> = Promise.resolve();

/**
 * The {@link FrameWriter} of a store whose appends are done when they return (the memory store):
 * each frame is stored, and its readers woken, within `write`, so a token costs no promise, no
 * queue and no batch. The events are told from within `write`: the size limit once (the
 * generation only needs to hear it once), a failure once, after which it writes nothing.
 */
export class ImmediateFrameWriter implements FrameWriter {
  private lost = false;
  private overLimit = false;

  constructor(
    private readonly appendNow: AppendNow,
    private readonly events: StreamWriterEvents,
  ) {}

  write(frame: StreamFrame): void {
    if (this.lost) return;
    let overLimit: boolean;
    try {
      overLimit = this.appendNow(frame);
    } catch (error) {
      this.lost = true;
      this.events.onLost(error);
      return;
    }
    if (overLimit && !this.overLimit) {
      this.overLimit = true;
      this.events.onOverLimit();
    }
  }

  flushed(): Promise<void> {
    return FLUSHED;
  }
}
