import { openStream, readOpened, resumeUntilEnd } from '../follow-stream';
import { ORDINARY_REPLY, chatRequestBody, randomReplyScript } from '../reply-script';
import {
  isShutdownEnd,
  newOutcome,
  refusedOutcome,
  settle,
  type Scenario,
  type ScenarioContext,
} from '../scenario-context';
import { StreamLog } from '../stream-log';
import type { ScenarioName, StreamOutcome } from '../stream-outcome';

/**
 * Reads one stream to its end, as a client with a good connection does (resuming only if the
 * server ended a connection without a terminal frame), and judges its text against `expected`;
 * how it should have ended is the caller's to say. The log is what was received.
 */
export async function readWholeStream(
  context: ScenarioContext,
  scenario: ScenarioName,
  body: string,
  expected: string,
): Promise<{ outcome: StreamOutcome; log: StreamLog }> {
  const outcome = newOutcome(scenario, context);
  const log = new StreamLog();
  const started = performance.now();
  const opened = await openStream(context.instance, body, context.streamTimeoutMs);
  if (!opened.ok) return { outcome: refusedOutcome(outcome, context, opened.refused), log };
  outcome.streamId = opened.streamId;
  outcome.connections = 1;
  const first = await readOpened(opened, log, context.streamTimeoutMs);
  let end;
  if (first.timedOut) {
    end = { kind: 'never-ended' as const, detail: 'no terminal frame on the first connection' };
  } else {
    if (!log.terminal) outcome.droppedWithoutTerminal += 1;
    if (first.failure) outcome.facts['firstConnectionFailure'] = first.failure;
    end = await resumeUntilEnd({
      instance: context.instance,
      streamId: opened.streamId,
      log,
      counts: outcome,
      deadline: started + context.streamTimeoutMs,
      cuts: [],
      pauseMs: () => 0,
      afterCut: false,
    });
  }
  settle(outcome, log, end, expected);
  return { outcome, log };
}

/** Notes an end other than `finish stop` (or a shutdown's) as unexpected. */
export function expectFinishStop(context: ScenarioContext, outcome: StreamOutcome): StreamOutcome {
  const { end } = outcome;
  if (!end) return outcome;
  const finished = end.kind === 'finish' && end.finishReason === 'stop';
  if (!finished && !isShutdownEnd(context, end)) {
    outcome.unexpected.push(`ended with ${JSON.stringify(end)}, not finish stop`);
  }
  return outcome;
}

/** A reply read to the end by a client that stays: the text must be exactly the mock's reply. */
export const readToEnd: Scenario = async (context) => {
  const script = randomReplyScript(context.rng, ORDINARY_REPLY, context.tag);
  const { outcome } = await readWholeStream(
    context,
    'read-to-end',
    chatRequestBody(script),
    script.reply,
  );
  return [expectFinishStop(context, outcome)];
};
