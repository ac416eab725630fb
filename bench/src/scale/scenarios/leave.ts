import type { MockUpstream } from '../../soak/mock-upstream';
import { openReply, replyText } from '../reply-client';
import { outOfRow, plainRow } from '../report-rows';
import { runConcurrent } from '../run-replies';
import type { Scenario } from '../scenario';

const REPLIES = 100;
const TOKENS = 200;
const TOKEN_INTERVAL_MS = 100;
const LEAVE_AFTER_TOKENS = 10;
const DEADLINE_MS = 10_000;
/** Every upstream request must be aborted within this long of its client leaving. */
const ABORT_BOUND_MS = 1_000;
/** How long after the last client left the upstream is watched. */
const WATCH_MS = 5_000;
const POLL_MS = 25;

/** The mock's aborted streams at one moment. */
interface Sample {
  at: number;
  aborted: number;
}

async function watchAborts(upstream: MockUpstream, before: number, until: number) {
  const samples: Sample[] = [];
  for (;;) {
    const stats = await upstream.stats();
    samples.push({ at: performance.now(), aborted: stats.streamsAborted - before });
    if (stats.streamsAborted - before >= REPLIES || performance.now() > until) return samples;
    await new Promise((done) => setTimeout(done, POLL_MS));
  }
}

/**
 * Clients that leave: with the api's grace at 0, every upstream request must be aborted at once,
 * or a company pays for tokens nobody reads.
 */
export const leave: Scenario = {
  name: 'leave',
  summary: `${REPLIES} replies at once of ${TOKENS} tokens at ${1000 / TOKEN_INTERVAL_MS} a second, each client leaving after ${LEAVE_AFTER_TOKENS} tokens; the api with STREAM_RESUME_GRACE_MS=0`,
  upstream: { reply: replyText(TOKENS), chunks: TOKENS, chunkDelayMs: TOKEN_INTERVAL_MS },
  apiEnv: { STREAM_RESUME_GRACE_MS: '0' },
  concurrency: REPLIES,
  async measure({ target, upstream }) {
    const before = await upstream.stats();
    const outcomes = await runConcurrent(REPLIES, 0, DEADLINE_MS, () =>
      openReply({ ...target.request(TOKENS), leaveAfterTokens: LEAVE_AFTER_TOKENS }),
    );
    const left = outcomes.filter((o) => o.status === 'left');
    const firstLeft = Math.min(...left.map((o) => o.settledAt));
    const lastLeft = Math.max(...left.map((o) => o.settledAt));
    const samples = await watchAborts(upstream, before.streamsAborted, lastLeft + WATCH_MS);
    const within = samples.filter((s) => s.at <= lastLeft + ABORT_BOUND_MS);
    const all = samples.find((s) => s.aborted >= REPLIES);
    const after = await upstream.stats();
    const running =
      after.streamsStarted -
      before.streamsStarted -
      (after.streamsCompleted - before.streamsCompleted) -
      (after.streamsAborted - before.streamsAborted) -
      (after.streamsFaulted - before.streamsFaulted);
    return {
      replies: REPLIES,
      left: left.length,
      leaveSpreadMs: left.length > 0 ? lastLeft - firstLeft : NaN,
      abortedWithinBound: within.length > 0 ? within[within.length - 1].aborted : 0,
      allAbortedAfterMs: all ? all.at - lastLeft : NaN,
      stillRunning: running,
      failures: outcomes
        .filter((o) => o.status !== 'left')
        .map((o) => `${o.status} ${o.reason ?? ''}`.trim())
        .slice(0, 3)
        .join(', '),
    };
  },
  rows: [
    outOfRow(`clients that left after ${LEAVE_AFTER_TOKENS} tokens`, 'left', 'replies'),
    outOfRow(
      `upstream requests aborted within ${ABORT_BOUND_MS / 1000} s of the last client leaving`,
      'abortedWithinBound',
      'replies',
    ),
    plainRow('all aborted, ms after the last client left', 'allAbortedAfterMs', 0),
    plainRow('upstream requests still running when the watch ended', 'stillRunning', 0),
    plainRow('clients left over, ms (first to last)', 'leaveSpreadMs', 0),
    plainRow('failures', 'failures'),
  ],
};
