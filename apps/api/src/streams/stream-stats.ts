import type { ErrorCode, FinishReason, Usage } from '@tokenstream/stream-contracts';
import type { InterruptReason } from './interrupt-reason';

/** Why a generation was ended from outside, if it was. */
type Interruption = InterruptReason | undefined;

/** How a stream ended, for its summary log line. */
export type StreamOutcome =
  | { kind: 'finished'; finishReason: FinishReason; interruptedBy?: Interruption }
  | { kind: 'failed'; code: ErrorCode; interruptedBy?: Interruption };

/** The figures of one stream's summary log line: pace, size and how it ended. */
export class StreamStats {
  private readonly startedAt = performance.now();
  private firstDeltaAt: number | undefined;
  private deltas = 0;
  private chars = 0;
  private usage: Usage | undefined;
  private served: { deployment: string; model: string } | undefined;

  /** The deployment that answered (and the model, a fallback's when the first failed). */
  recordServed(deployment: string, model: string): void {
    this.served = { deployment, model };
  }

  /** The deployment that answered, once one did. */
  get deployment(): string | undefined {
    return this.served?.deployment;
  }

  recordDelta(text: string): void {
    this.firstDeltaAt ??= performance.now();
    this.deltas += 1;
    this.chars += text.length;
  }

  /** The token counts the upstream reported with its `finish`. */
  recordUsage(usage: Usage | undefined): void {
    this.usage = usage;
  }

  summary(outcome: StreamOutcome) {
    const round = (ms: number | undefined) => (ms === undefined ? null : Math.round(ms));
    return {
      ttftMs: round(
        this.firstDeltaAt === undefined ? undefined : this.firstDeltaAt - this.startedAt,
      ),
      deltas: this.deltas,
      chars: this.chars,
      usage: this.usage ?? null,
      deployment: this.served?.deployment ?? null,
      servedModel: this.served?.model ?? null,
      durationMs: round(performance.now() - this.startedAt),
      finishReason: outcome.kind === 'finished' ? outcome.finishReason : null,
      errorCode: outcome.kind === 'failed' ? outcome.code : null,
      // Every reader left and none came back in time: nobody was there to read the reply.
      clientGone: outcome.interruptedBy === 'abandoned',
      interruptedBy: outcome.interruptedBy ?? null,
    };
  }
}
