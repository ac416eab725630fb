import { summarise } from '../outcome-summary';
import { openReply, replyText } from '../reply-client';
import { addedRow, outOfRow, plainRow, ratioRow } from '../report-rows';
import { watchResources } from '../resource-window';
import { runSequential } from '../run-replies';
import type { Scenario } from '../scenario';

const REPLIES = 200;
const TOKENS = 5;
const DEADLINE_MS = 60_000;

/** Time to the first token of one reply at a time: what each layer adds to a reply's start. */
export const firstToken: Scenario = {
  name: 'first-token',
  summary: `${REPLIES} replies of ${TOKENS} tokens, one after the other, each on a new connection; the upstream at full speed`,
  upstream: { reply: replyText(TOKENS), chunks: TOKENS, chunkDelayMs: 0 },
  concurrency: 1,
  async measure({ target, upstream }) {
    const window = watchResources(target.pids, upstream.pid, target.redisPid);
    const outcomes = await runSequential(REPLIES, DEADLINE_MS, () =>
      openReply(target.request(TOKENS)),
    );
    const { serverCpuMs } = window.close();
    const summary = summarise(outcomes);
    return {
      replies: REPLIES,
      completed: summary.completed,
      firstTokenP50Ms: summary.firstTokenP50Ms,
      firstTokenP99Ms: summary.firstTokenP99Ms,
      // Alone on the machine's cores, with nothing else in flight: no contention in it.
      cpuPerReplyMs: serverCpuMs / REPLIES,
      failures: summary.failures,
    };
  },
  rows: [
    addedRow('time to first token p50, ms (+ over the passthrough)', 'firstTokenP50Ms', 2),
    addedRow('time to first token p99, ms (+ over the passthrough)', 'firstTokenP99Ms', 2),
    ratioRow('server CPU per reply, one at a time, ms (× the passthrough)', 'cpuPerReplyMs', 2),
    outOfRow('replies completed', 'completed', 'replies'),
    plainRow('failures', 'failures'),
  ],
};
