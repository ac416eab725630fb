import type { ReplyPlace, StreamFrame } from '@tokenstream/stream-contracts';
import type { StreamOutcome, StreamStats } from './stream-stats';

/**
 * Whoever keeps a reply beyond its stream (the conversations): told when the reply is about to
 * start, of every frame, and of its end however it ends. The streams know nothing more of it.
 */
export interface ReplyKeeper {
  /** Where the `start` frame says the reply is kept. */
  readonly place: ReplyPlace;
  /**
   * Keeps the turn, once the stream is admitted and before it is made; a rejection (an
   * `ApiException`) refuses the request with nothing started.
   */
  begin(streamId: string, model: string): Promise<void>;
  /** Each frame the generation writes, `start` first. */
  frame(frame: StreamFrame): void;
  /** The generation ended (after its last frame); resolves once the reply is kept. */
  end(outcome: StreamOutcome, stats: ReturnType<StreamStats['summary']>): Promise<void>;
  /** The stream could not be made, or another request's was joined: the turn is forgotten. */
  discard(): Promise<void>;
}
