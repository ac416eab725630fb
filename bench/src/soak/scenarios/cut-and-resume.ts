import { ApiPaths, ErrorCodes } from '@tokenstream/stream-contracts';
import { resumeUntilEnd } from '../follow-stream';
import { readConnection } from '../read-connection';
import { ORDINARY_REPLY, chatRequestBody, randomReplyScript } from '../reply-script';
import {
  isShutdownEnd,
  newOutcome,
  refusedOutcome,
  settle,
  type Scenario,
} from '../scenario-context';
import { StreamLog } from '../stream-log';

/** Bytes of a stream beyond its text: headers of each frame, the `start` and terminal frames. */
const FRAME_OVERHEAD_BYTES = 60;

/**
 * A client whose connection breaks at random bytes, one to four times, and that resumes after a
 * pause with `Last-Event-ID` set to its last whole frame: mostly at once, sometimes after a while,
 * and now and then after the resume grace has run out (the api may then have abandoned the
 * reply). The text must come out exactly once: the whole reply when it finished, else a prefix.
 */
export const cutAndResume: Scenario = async (context) => {
  const { rng, instance } = context;
  const script = randomReplyScript(rng, ORDINARY_REPLY, context.tag);
  // Everything random is drawn before any I/O, so a seed replays the same plan whatever the timing.
  const estimate = 200 + Buffer.byteLength(script.reply) + script.chunks * FRAME_OVERHEAD_BYTES;
  const cuts = Array.from({ length: rng.int(1, 4) }, () =>
    rng.int(1, Math.max(1, Math.ceil(estimate * 0.7))),
  );
  const pauses = cuts.map(() => {
    const roll = rng.next();
    if (roll < 0.7) return rng.int(0, 300);
    if (roll < 0.9) return rng.int(300, 1_500);
    return context.graceMs + rng.int(200, 1_000);
  });

  const outcome = newOutcome('cut-and-resume', context);
  const started = performance.now();
  const deadline = started + context.streamTimeoutMs + pauses.reduce((a, b) => a + b, 0);
  const log = new StreamLog();
  const first = await readConnection(
    new URL(ApiPaths.chatStream, instance.url).href,
    {
      method: 'POST',
      body: chatRequestBody(script),
      cutAfterBytes: cuts.shift() ?? Infinity,
      timeoutMs: context.streamTimeoutMs,
    },
    log,
  );
  if (first.status !== 200 || !first.streamId) {
    const refused = first.status
      ? `${first.status} ${first.errorCode}`
      : (first.failure ?? 'no response');
    return [refusedOutcome(outcome, context, refused)];
  }
  outcome.streamId = first.streamId;
  outcome.connections = 1;
  if (first.cut) outcome.cutsByClient += 1;
  else if (!log.terminal && !first.timedOut) outcome.droppedWithoutTerminal += 1;

  let longestPause = 0;
  const end = first.timedOut
    ? { kind: 'never-ended' as const, detail: 'no terminal frame on the first connection' }
    : await resumeUntilEnd({
        instance,
        streamId: first.streamId,
        log,
        counts: outcome,
        deadline,
        cuts,
        pauseMs: () => {
          const pause = pauses.shift() ?? 0;
          longestPause = Math.max(longestPause, pause);
          return pause;
        },
        afterCut: first.cut,
      });
  settle(outcome, log, end, script.reply);
  outcome.facts['longestPauseMs'] = longestPause;
  const finished = end.kind === 'finish' && end.finishReason === 'stop';
  // Only a pause past the grace may end in `stream_abandoned`: a shorter one must find it running.
  const abandoned =
    end.kind === 'error' &&
    end.code === ErrorCodes.streamAbandoned &&
    longestPause >= context.graceMs;
  if (!finished && !abandoned && !isShutdownEnd(context, end)) {
    outcome.unexpected.push(
      `ended with ${JSON.stringify(end)} (longest pause ${longestPause} ms), not finish stop`,
    );
  }
  return [outcome];
};
