import { ApiPaths } from '@tokenstream/stream-contracts';
import { openStream, readOpened, resumeUntilEnd } from '../follow-stream';
import { describeFailure } from '../read-connection';
import { SLOW_REPLY, chatRequestBody, randomReplyScript } from '../reply-script';
import {
  isShutdownEnd,
  newOutcome,
  refusedOutcome,
  settle,
  type Scenario,
} from '../scenario-context';
import type { SoakInstance } from '../soak-instance';
import { StreamLog } from '../stream-log';

/** How long a `DELETE` may take. */
const STOP_TIMEOUT_MS = 5_000;

/** `DELETE /api/streams/:id`: its status, or why it got none. */
async function sendStop(instance: SoakInstance, streamId: string): Promise<string> {
  try {
    const response = await fetch(new URL(ApiPaths.stream(streamId), instance.url), {
      method: 'DELETE',
      signal: AbortSignal.timeout(STOP_TIMEOUT_MS),
    });
    await response.arrayBuffer();
    return String(response.status);
  } catch (error) {
    return describeFailure(error);
  }
}

/**
 * A user who presses Stop after a few words: `DELETE` once a random number of text deltas has
 * arrived, reading on. The reader must get `finish` with `cancelled` (or `stop`, when the reply
 * had finished before the stop arrived) and a prefix of the reply.
 */
export const stopMidStream: Scenario = async (context) => {
  const { rng, instance } = context;
  const script = randomReplyScript(rng, SLOW_REPLY, context.tag);
  const stopAfterDeltas = rng.int(1, Math.max(1, Math.floor(script.chunks / 2)));

  const outcome = newOutcome('stop', context);
  const started = performance.now();
  const opened = await openStream(instance, chatRequestBody(script), context.streamTimeoutMs);
  if (!opened.ok) return [refusedOutcome(outcome, context, opened.refused)];
  const { streamId } = opened;
  outcome.streamId = streamId;
  outcome.connections = 1;
  const log = new StreamLog();
  let stop: Promise<string> | undefined;
  const first = await readOpened(opened, log, context.streamTimeoutMs, () => {
    if (!stop && !log.terminal && log.textDeltas >= stopAfterDeltas) {
      stop = sendStop(instance, streamId);
    }
  });
  if (!log.terminal && !first.timedOut) outcome.droppedWithoutTerminal += 1;
  const end = first.timedOut
    ? { kind: 'never-ended' as const, detail: 'no terminal frame after the stop' }
    : await resumeUntilEnd({
        instance,
        streamId,
        log,
        counts: outcome,
        deadline: started + context.streamTimeoutMs,
        cuts: [],
        pauseMs: () => 0,
        afterCut: false,
      });
  settle(outcome, log, end, script.reply);
  const stopStatus = stop ? await stop : 'not sent';
  outcome.facts['stopStatus'] = stopStatus;
  outcome.facts['stopAfterDeltas'] = stopAfterDeltas;
  if (isShutdownEnd(context, end)) return [outcome];
  if (stopStatus !== '204') outcome.unexpected.push(`DELETE answered ${stopStatus}, not 204`);
  if (end.kind !== 'finish' || (end.finishReason !== 'cancelled' && end.finishReason !== 'stop')) {
    outcome.unexpected.push(`ended with ${JSON.stringify(end)}, not finish cancelled`);
  }
  return [outcome];
};
