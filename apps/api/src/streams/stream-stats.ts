import type { ErrorCode, FinishReason } from '@tokenstream/stream-contracts';

/** How a stream ended, for its summary log line. */
export type StreamOutcome =
  | { kind: 'finished'; finishReason: FinishReason }
  | { kind: 'failed'; code: ErrorCode }
  | { kind: 'client-gone' };

/** The figures of one stream's summary log line: pace, size and how it ended. */
export class StreamStats {
  private readonly startedAt = performance.now();
  private firstDeltaAt: number | undefined;
  private deltas = 0;
  private chars = 0;

  recordDelta(text: string): void {
    this.firstDeltaAt ??= performance.now();
    this.deltas += 1;
    this.chars += text.length;
  }

  summary(outcome: StreamOutcome) {
    const round = (ms: number | undefined) => (ms === undefined ? null : Math.round(ms));
    return {
      ttftMs: round(
        this.firstDeltaAt === undefined ? undefined : this.firstDeltaAt - this.startedAt,
      ),
      deltas: this.deltas,
      chars: this.chars,
      durationMs: round(performance.now() - this.startedAt),
      finishReason: outcome.kind === 'finished' ? outcome.finishReason : null,
      errorCode: outcome.kind === 'failed' ? outcome.code : null,
      clientGone: outcome.kind === 'client-gone',
    };
  }
}
