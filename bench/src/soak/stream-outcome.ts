import type { FinishReason } from '@tokenstream/stream-contracts';

/**
 * The kinds of stream a soak starts: the five it mixes at random, `long-read` (the full read of
 * the long reply a never-read needs) and `read-through-sigterm` (a long reply read on the instance
 * that gets SIGTERM).
 */
export type ScenarioName =
  | 'read-to-end'
  | 'cut-and-resume'
  | 'stop'
  | 'never-read'
  | 'upstream-fault'
  | 'long-read'
  | 'read-through-sigterm';

/** How a stream ended, as its client saw it. */
export type StreamEnd =
  | { kind: 'finish'; finishReason: FinishReason }
  | { kind: 'error'; code: string; retryable: boolean }
  /** A resume answered 204: the stream had already ended at the position the client had. */
  | { kind: 'already-complete' }
  /** The instance exited while the client was away between two connections. */
  | { kind: 'instance-exited' }
  /** A resume was refused (400, 404…) or could not connect: the client cannot go on. */
  | { kind: 'resume-failed'; detail: string }
  /** No terminal frame within the bound. */
  | { kind: 'never-ended'; detail: string };

/** How the assembled text compares with what the mock was told to send. */
export type TextVerdict = 'exact' | 'prefix' | 'lost-or-repeated';

/** One stream the soak started (or tried to), and what became of it. */
export interface StreamOutcome {
  scenario: ScenarioName;
  instance: string;
  streamId: string | undefined;
  /** Why the stream never opened (`503 server_shutting_down`, `ECONNREFUSED`…); then `end` is unset. */
  refused?: string;
  end?: StreamEnd;
  text?: TextVerdict;
  /** Connections opened for it, the first included. */
  connections: number;
  /** Connections the client cut on purpose. */
  cutsByClient: number;
  /** Connections that ended without a terminal frame although the client did not cut them. */
  droppedWithoutTerminal: number;
  /** Protocol rules broken (see StreamLog). */
  violations: string[];
  /** What the scenario expected and did not get; empty when all went as it should. */
  unexpected: string[];
  /** Scenario-specific facts for the report (fault kind, stop timing…). */
  facts: Record<string, string | number | boolean>;
}

/**
 * Compares the received text with the expected one: a reply that finished (other than cancelled)
 * must be exactly the expected text; any other end may have stopped early, so a prefix is enough.
 * Anything else is text lost or repeated.
 */
export function judgeText(received: string, expected: string, end: StreamEnd): TextVerdict {
  if (received === expected) return 'exact';
  const whole = end.kind === 'finish' && end.finishReason !== 'cancelled';
  return !whole && expected.startsWith(received) ? 'prefix' : 'lost-or-repeated';
}

/** A stream's end as a short label for the report: `finish stop`, `error upstream_error`. */
export function endLabel(end: StreamEnd): string {
  switch (end.kind) {
    case 'finish':
      return `finish ${end.finishReason}`;
    case 'error':
      return `error ${end.code}`;
    default:
      return end.kind;
  }
}
