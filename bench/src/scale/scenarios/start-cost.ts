import { summarise } from '../outcome-summary';
import { openReply, replyText, type ReplyOutcome } from '../reply-client';
import { outOfRow, plainRow, ratioRow } from '../report-rows';
import { watchResources } from '../resource-window';
import { runConcurrent } from '../run-replies';
import type { Scenario } from '../scenario';

const AT_ONCE = 100;
const ROUNDS = 3;
const TOKENS = 10;
const ROUND_DEADLINE_MS = 30_000;
/** Between two rounds, so one round's teardown is not the next one's start. */
const PAUSE_MS = 500;

/** The CPU a reply costs to start: short replies, many at once, so little else is counted. */
export const startCost: Scenario = {
  name: 'start-cost',
  summary: `${ROUNDS} rounds of ${AT_ONCE} replies at once, ${TOKENS} tokens each, the upstream at full speed`,
  upstream: { reply: replyText(TOKENS), chunks: TOKENS, chunkDelayMs: 0 },
  concurrency: AT_ONCE,
  async measure({ target, upstream }) {
    const outcomes: ReplyOutcome[] = [];
    let serverCpuMs = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      if (round > 0) await new Promise((done) => setTimeout(done, PAUSE_MS));
      const window = watchResources(target.pids, upstream.pid, target.redisPid);
      outcomes.push(
        ...(await runConcurrent(AT_ONCE, 0, ROUND_DEADLINE_MS, () =>
          openReply(target.request(TOKENS)),
        )),
      );
      serverCpuMs += window.close().serverCpuMs;
    }
    const summary = summarise(outcomes);
    return {
      replies: outcomes.length,
      completed: summary.completed,
      cpuPerReplyMs: serverCpuMs / outcomes.length,
      firstTokenP50Ms: summary.firstTokenP50Ms,
      firstTokenP99Ms: summary.firstTokenP99Ms,
      failures: summary.failures,
    };
  },
  rows: [
    ratioRow('server CPU per reply, ms (× the passthrough)', 'cpuPerReplyMs', 2),
    outOfRow('replies completed', 'completed', 'replies'),
    plainRow('time to first token p50 under this load, ms', 'firstTokenP50Ms', 1),
    plainRow('time to first token p99 under this load, ms', 'firstTokenP99Ms', 1),
    plainRow('failures', 'failures'),
  ],
};
