import { ErrorCodes } from '@tokenstream/stream-contracts';
import type { SeededRandom } from './seeded-random';
import type { SoakInstance } from './soak-instance';
import { judgeText, type ScenarioName, type StreamEnd, type StreamOutcome } from './stream-outcome';
import type { StreamLog } from './stream-log';

/** What every scenario runs with. */
export interface ScenarioContext {
  /** This client's own PRNG: its choices replay with the seed. */
  rng: SeededRandom;
  /** Where this scenario's streams go. */
  instance: SoakInstance;
  /** Unique to this run of a scenario; starts each reply, so no reply can pass for another. */
  tag: string;
  /** How long one stream may take to reach its terminal frame, resumes and pauses included. */
  streamTimeoutMs: number;
  /** The api's STREAM_RESUME_GRACE_MS. */
  graceMs: number;
  /** The reply the mock sends to a request without options of its own. */
  longReply: string;
}

/** A scenario: runs one kind of traffic, resolves with an outcome per stream it started. */
export type Scenario = (context: ScenarioContext) => Promise<StreamOutcome[]>;

/** A fresh outcome for a stream of `scenario` on the context's instance. */
export function newOutcome(scenario: ScenarioName, context: ScenarioContext): StreamOutcome {
  return {
    scenario,
    instance: context.instance.name,
    streamId: undefined,
    connections: 0,
    cutsByClient: 0,
    droppedWithoutTerminal: 0,
    violations: [],
    unexpected: [],
    facts: {},
  };
}

/** Records how the stream ended and judges its text against `expected`. */
export function settle(
  outcome: StreamOutcome,
  log: StreamLog,
  end: StreamEnd,
  expected: string,
): StreamOutcome {
  outcome.end = end;
  outcome.text = judgeText(log.text, expected, end);
  outcome.violations.push(...log.violations);
  return outcome;
}

/**
 * True for the ends a stream on an instance that is shutting down may have instead of its own:
 * the drain's `server_shutting_down`, or the process gone while the client was away. Neither
 * loses text (the text is still checked as a prefix).
 */
export function isShutdownEnd(context: ScenarioContext, end: StreamEnd): boolean {
  if (!context.instance.going) return false;
  if (end.kind === 'instance-exited') return true;
  return end.kind === 'error' && end.code === ErrorCodes.serverShuttingDown;
}

/** A refusal before the stream opened is expected only from an instance that is going away. */
export function refusedOutcome(
  outcome: StreamOutcome,
  context: ScenarioContext,
  refused: string,
): StreamOutcome {
  outcome.refused = refused;
  if (!context.instance.going) outcome.unexpected.push(`refused: ${refused}`);
  return outcome;
}
