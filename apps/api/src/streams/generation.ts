import {
  ErrorCodes,
  type ErrorFrame,
  type FinishFrame,
  type ReplyPlace,
  type StreamFrame,
} from '@tokenstream/stream-contracts';
import type { ModelEvent, ModelProvider, ModelRequest } from '../models/model-provider';
import { toErrorFrame } from '../models/upstream-failure';
import type { InterruptReason } from './interrupt-reason';
import type { StreamOutcome } from './stream-stats';
import { StreamStats } from './stream-stats';

/** The last frame of a stream a user stopped. */
export const STOPPED_FRAME: FinishFrame = { type: 'finish', finishReason: 'cancelled' };

/** The last frame of a stream whose generation was lost: its instance died, or the store failed. */
export const LOST_FRAME: ErrorFrame = {
  type: 'error',
  code: ErrorCodes.generationLost,
  message: 'The reply was lost on the server. Please send your message again.',
  retryable: true,
};

/**
 * The last frame a generation writes when it is interrupted, by reason (for `lost` and
 * `ended-elsewhere` it cannot be stored: it is what the generation's own log line reports).
 */
const INTERRUPTED_FRAMES: Record<InterruptReason, FinishFrame | ErrorFrame> = {
  stop: STOPPED_FRAME,
  'ended-elsewhere': STOPPED_FRAME,
  // Not `cancelled`: nobody asked for it to stop, and whoever comes back should be told why.
  abandoned: {
    type: 'error',
    code: ErrorCodes.streamAbandoned,
    message: 'The reply was cancelled because the connection was lost for too long.',
    retryable: true,
  },
  shutdown: {
    type: 'error',
    code: ErrorCodes.serverShuttingDown,
    message: 'The server is restarting. Please send your message again.',
    retryable: true,
  },
  'too-large': {
    type: 'error',
    code: ErrorCodes.replyTooLarge,
    message: 'The reply grew past the size this server allows, so it was ended.',
    retryable: false,
  },
  lost: LOST_FRAME,
};

/** What a generation reports as it runs. */
export interface GenerationListener {
  /** Where the reply is kept, for its `start` frame (when its request named a conversation). */
  place?: ReplyPlace;
  /** A frame to store, in order. Never called after `onEnd`. */
  onFrame(frame: StreamFrame): void;
  /**
   * Called exactly once, when the generation is over, with its summary figures; the generation's
   * `run()` settles once what this returns does (its last frame stored).
   */
  onEnd(
    outcome: StreamOutcome,
    stats: ReturnType<StreamStats['summary']>,
    failure?: unknown,
  ): void | Promise<void>;
}

/**
 * One reply being generated: it runs the provider and turns what it yields into frames, `start`
 * first and exactly one `finish` or `error` last, however it ends. Interrupting it aborts the
 * upstream request at once.
 */
export class Generation {
  private readonly abortController = new AbortController();
  private readonly stats = new StreamStats();
  private interruptedBy: InterruptReason | undefined;
  private running: Promise<void> | undefined;
  private ended = false;
  private announceServed!: (deployment: string | undefined) => void;
  /**
   * The deployment that answers, once one sends some of the reply; `undefined` if the generation
   * ended before any did.
   */
  readonly servedBy = new Promise<string | undefined>((resolve) => (this.announceServed = resolve));

  constructor(
    readonly streamId: string,
    private readonly request: ModelRequest,
    private readonly provider: ModelProvider,
    private readonly listener: GenerationListener,
  ) {}

  /** True until the generation has written its last frame. */
  get isRunning(): boolean {
    return !this.ended;
  }

  /** Ends the generation from outside; the upstream request is aborted at once. */
  interrupt(reason: InterruptReason): void {
    if (this.ended || this.abortController.signal.aborted) return;
    this.interruptedBy = reason;
    this.abortController.abort(reason);
  }

  /** Runs to the end, once (later calls return the same promise); never rejects. */
  run(): Promise<void> {
    this.running ??= this.generate();
    return this.running;
  }

  private generate(): Promise<void> {
    const signal = this.abortController.signal;
    const { place } = this.listener;
    this.listener.onFrame({
      type: 'start',
      streamId: this.streamId,
      model: this.request.model,
      ...(place ? { conversation: place } : {}),
    });
    return new Promise<void>((resolve) => {
      const settle = (ending: Promise<void>) => void ending.then(resolve);
      this.provider.stream(this.request, signal, {
        next: (event) => {
          // Only `interrupt` aborts the signal, and it notes why first: a field is cheaper to read
          // for every delta than the signal's getter. After the end, nothing more is written.
          if (this.interruptedBy || this.ended) return;
          this.onEvent(event, settle);
        },
        done: () => {
          if (this.ended) return;
          if (signal.aborted) return settle(this.endInterrupted());
          // A provider that ends without `finish` breaks its contract: report it rather than hang.
          const error = new Error('The model provider ended without a finish event');
          settle(this.end(toErrorFrame(error), error));
        },
        fail: (error) => {
          if (this.ended) return;
          if (signal.aborted) return settle(this.endInterrupted());
          settle(this.end(toErrorFrame(error), error));
        },
      });
    });
  }

  /** One event of the reply, in the turn it came: a frame, or the end (settled through `settle`). */
  private onEvent(event: ModelEvent, settle: (ending: Promise<void>) => void): void {
    if (event.type === 'delta') {
      this.stats.recordDelta(event.text);
      this.listener.onFrame({ type: 'text-delta', delta: event.text });
    } else if (event.type === 'reasoning') {
      // Thinking is output the user sees arrive (and the upstream bills): it counts as such.
      this.stats.recordDelta(event.text);
      this.listener.onFrame({ type: 'reasoning-delta', delta: event.text });
    } else if (event.type === 'served') {
      this.stats.recordServed(event.deployment, event.model);
      this.announceServed(event.deployment);
    } else if (event.type === 'chunks') {
      this.stats.recordDelta(event.text);
      // The SDK's chunk type, as the plain JSON objects it is on the wire.
      const chunks = event.chunks as unknown as Record<string, unknown>[];
      this.listener.onFrame({ type: 'openai-chunks', chunks });
    } else {
      this.stats.recordUsage(event.usage);
      settle(this.end({ type: 'finish', finishReason: event.finishReason, usage: event.usage }));
    }
  }

  private endInterrupted(): Promise<void> {
    return this.end(INTERRUPTED_FRAMES[this.interruptedBy ?? 'stop']);
  }

  private async end(frame: FinishFrame | ErrorFrame, failure?: unknown): Promise<void> {
    this.ended = true;
    this.announceServed(this.stats.deployment);
    this.listener.onFrame(frame);
    const outcome: StreamOutcome =
      frame.type === 'finish'
        ? { kind: 'finished', finishReason: frame.finishReason, interruptedBy: this.interruptedBy }
        : { kind: 'failed', code: frame.code, interruptedBy: this.interruptedBy };
    await this.listener.onEnd(outcome, this.stats.summary(outcome), failure);
  }
}
