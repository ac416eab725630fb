import { GapHistogram } from '../gap-histogram';
import { summarise } from '../outcome-summary';
import { openReply, replyText } from '../reply-client';
import { plainRow } from '../report-rows';
import { watchResources } from '../resource-window';
import { runConcurrent } from '../run-replies';
import type { Scenario } from '../scenario';
import { tokenLoadFigures, tokenLoadRows } from './token-load';

const TOKENS = 200;
/** 10 tokens a second, each in its own write of the upstream. */
const TOKEN_INTERVAL_MS = 100;
/** Over how long the replies are opened, unless `--ramp-s` says. */
const RAMP_MS = 2_000;
/** The reply's own length, 19.9 s. */
const REPLY_MS = (TOKENS - 1) * TOKEN_INTERVAL_MS;
/** Past the ramp, one and a half times a reply: later than that, a reply is not completed. */
const LATE_MS = 1.5 * REPLY_MS;

/** `count` replies open at once, at a model's pace: how many one instance carries, and at what cost. */
export function slowReplies(count: number): Scenario {
  return {
    name: `slow-${count}`,
    countsTokens: true,
    summary: `${count} replies at once, opened over ${RAMP_MS / 1000} s (or --ramp-s), each ${TOKENS} tokens at ${1000 / TOKEN_INTERVAL_MS} a second (one per upstream write), bounded by the ramp + ${LATE_MS / 1000} s`,
    upstream: { reply: replyText(TOKENS), chunks: TOKENS, chunkDelayMs: TOKEN_INTERVAL_MS },
    concurrency: count,
    async measure({ target, upstream, rampMs = RAMP_MS }) {
      const gaps = new GapHistogram();
      const window = watchResources(target.pids, upstream.pid, target.redisPid);
      const outcomes = await runConcurrent(count, rampMs, rampMs + LATE_MS, () =>
        openReply({ ...target.request(TOKENS), gaps }),
      );
      return {
        ...tokenLoadFigures(count, summarise(outcomes), window.close()),
        gapP50Ms: gaps.percentile(50),
        gapP99Ms: gaps.percentile(99),
        gapMaxMs: gaps.max,
        rampS: rampMs / 1000,
      };
    },
    rows: tokenLoadRows([
      plainRow('gap between tokens p50, ms', 'gapP50Ms', 0),
      plainRow('gap between tokens p99, ms', 'gapP99Ms', 0),
      plainRow('gap between tokens max, ms', 'gapMaxMs', 0),
      plainRow('replies opened over, s', 'rampS', 1),
    ]),
  };
}
