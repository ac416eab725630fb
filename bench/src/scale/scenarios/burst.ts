import { summarise } from '../outcome-summary';
import { openReply, replyText } from '../reply-client';
import { watchResources } from '../resource-window';
import { runConcurrent } from '../run-replies';
import type { Scenario } from '../scenario';
import { tokenLoadFigures, tokenLoadRows } from './token-load';

const REPLIES = 50;
const TOKENS = 2_000;
/**
 * Tokens the upstream sends back to back in one write, about a millisecond apart (a timer of 0):
 * 20,000 tokens a second per reply, more than any target carries, in writes of about 4 KiB.
 */
const TOKENS_PER_WRITE = 20;
const DEADLINE_MS = 120_000;

/** CPU per token when the upstream streams as fast as it can, to 50 replies at once. */
export const burst: Scenario = {
  name: 'burst',
  countsTokens: true,
  summary: `${REPLIES} replies × ${TOKENS} tokens at once, the upstream at full speed: ${TOKENS_PER_WRITE} tokens back to back per write, a write every millisecond`,
  upstream: {
    reply: replyText(TOKENS),
    chunks: TOKENS,
    chunksPerWrite: TOKENS_PER_WRITE,
    chunkDelayMs: 0,
  },
  concurrency: REPLIES,
  async measure({ target, upstream }) {
    const window = watchResources(target.pids, upstream.pid, target.redisPid);
    const outcomes = await runConcurrent(REPLIES, 0, DEADLINE_MS, () =>
      openReply(target.request(TOKENS)),
    );
    return tokenLoadFigures(REPLIES, summarise(outcomes), window.close());
  },
  rows: tokenLoadRows(),
};
