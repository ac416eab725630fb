import { ErrorCodes, type ErrorFrame, type StreamFrame } from '@tokenstream/stream-contracts';
import type { ModelProvider, ModelRequest } from '../models/model-provider';
import { toErrorFrame } from '../models/upstream-failure';
import type { StreamOutcome } from './stream-stats';
import { StreamStats } from './stream-stats';

/** Why a generation was ended from outside before the model finished. */
export type InterruptReason = 'client-gone' | 'shutdown';

const SHUTTING_DOWN_FRAME: ErrorFrame = {
  type: 'error',
  code: ErrorCodes.serverShuttingDown,
  message: 'The server is restarting. Please send your message again.',
  retryable: true,
};

/** What a generation reports as it runs. */
export interface GenerationListener {
  /** A frame to deliver, in order. Never called after `onEnd`. */
  onFrame(frame: StreamFrame): void;
  /** Called exactly once, when the generation is over, with its summary figures. */
  onEnd(outcome: StreamOutcome, stats: ReturnType<StreamStats['summary']>, failure?: unknown): void;
}

/**
 * One reply being generated: it runs the provider and turns what it yields into frames, `start`
 * first and exactly one `finish` or `error` last. Interrupting it aborts the upstream request.
 */
export class Generation {
  private readonly abortController = new AbortController();
  private readonly stats = new StreamStats();
  private interruptedBy: InterruptReason | undefined;

  constructor(
    readonly streamId: string,
    private readonly request: ModelRequest,
    private readonly provider: ModelProvider,
    private readonly listener: GenerationListener,
  ) {}

  /** Ends the generation from outside; the upstream request is aborted at once. */
  interrupt(reason: InterruptReason): void {
    if (this.abortController.signal.aborted) return;
    this.interruptedBy = reason;
    this.abortController.abort(reason);
  }

  /** Runs to the end; never rejects (failures become an `error` frame). */
  async run(): Promise<void> {
    const signal = this.abortController.signal;
    this.listener.onFrame({ type: 'start', streamId: this.streamId, model: this.request.model });
    try {
      for await (const event of this.provider.stream(this.request, signal)) {
        if (signal.aborted) break;
        if (event.type === 'delta') {
          this.stats.recordDelta(event.text);
          this.listener.onFrame({ type: 'text-delta', delta: event.text });
        } else {
          const frame = {
            type: 'finish' as const,
            finishReason: event.finishReason,
            usage: event.usage,
          };
          this.listener.onFrame(frame);
          return this.end({ kind: 'finished', finishReason: event.finishReason });
        }
      }
      if (signal.aborted) return this.endInterrupted();
      // A provider that ends without `finish` breaks its contract: report it rather than hang.
      throw new Error('The model provider ended without a finish event');
    } catch (error) {
      if (signal.aborted) return this.endInterrupted();
      const frame = toErrorFrame(error);
      this.listener.onFrame(frame);
      this.end({ kind: 'failed', code: frame.code }, error);
    }
  }

  private endInterrupted(): void {
    if (this.interruptedBy === 'shutdown') {
      this.listener.onFrame(SHUTTING_DOWN_FRAME);
      return this.end({ kind: 'failed', code: SHUTTING_DOWN_FRAME.code });
    }
    this.end({ kind: 'client-gone' });
  }

  private end(outcome: StreamOutcome, failure?: unknown): void {
    this.listener.onEnd(outcome, this.stats.summary(outcome), failure);
  }
}
