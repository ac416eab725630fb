import { summarise } from '../outcome-summary';
import { openReply, replyText, type ReplyOutcome } from '../reply-client';
import { outOfRow, plainRow, ratioRow } from '../report-rows';
import { residentMiB } from '../../process-memory';
import { runConcurrent } from '../run-replies';
import type { Scenario } from '../scenario';

const REPLIES = 1_000;
const AT_ONCE = 50;
const TOKENS = 200;
/** For all of them, in rounds of {@link AT_ONCE}. */
const DEADLINE_MS = 120_000;
/** After the last reply, before memory is read: the servers' timers and sockets settle. */
const SETTLE_MS = 3_000;

/**
 * What finished replies cost to keep. The api keeps each for resume (`STREAM_RETENTION_MS`, 300 s
 * by default); the passthrough and the SDK loop keep nothing, so what their memory grows by is the
 * garbage and buffers any server is left with after the load. The api's store says how many bytes
 * of frames it holds (`GET /api/health`).
 */
export const retain: Scenario = {
  name: 'retain',
  summary: `${REPLIES} replies of ${TOKENS} tokens, ${AT_ONCE} at a time, the upstream at full speed; memory ${SETTLE_MS / 1000} s after the last`,
  upstream: { reply: replyText(TOKENS), chunks: TOKENS, chunkDelayMs: 0 },
  concurrency: AT_ONCE,
  async measure({ target }) {
    const serverRss = () => target.pids.reduce((sum, pid) => sum + residentMiB(pid), 0);
    const before = serverRss();
    const redisRss = () => (target.redisPid === undefined ? NaN : residentMiB(target.redisPid));
    const redisBefore = redisRss();
    const outcomes: ReplyOutcome[] = [];
    const deadline = performance.now() + DEADLINE_MS;
    for (let round = 0; round < REPLIES / AT_ONCE && performance.now() < deadline; round += 1) {
      outcomes.push(
        ...(await runConcurrent(AT_ONCE, 0, deadline - performance.now(), () =>
          openReply(target.request(TOKENS)),
        )),
      );
    }
    await new Promise((done) => setTimeout(done, SETTLE_MS));
    const after = serverRss();
    const redisAfter = redisRss();
    const summary = summarise(outcomes);
    const isApi = target.name.startsWith('api');
    const store = isApi ? await storeUsage(target.request(0).url) : undefined;
    return {
      replies: REPLIES,
      completed: summary.completed,
      rssBeforeMiB: before,
      rssAfterMiB: after,
      rssAddedPerReplyKiB: ((after - before) * 1024) / Math.max(1, summary.completed),
      redisAddedPer1000MiB: ((redisAfter - redisBefore) * 1000) / Math.max(1, summary.completed),
      storeStreams: store?.streams ?? '–',
      storeBytesPerReply: store ? store.bytes / Math.max(1, store.streams) : '–',
      failures: summary.failures,
    };
  },
  rows: [
    outOfRow('replies completed', 'completed', 'replies'),
    plainRow('server RSS before, MiB', 'rssBeforeMiB', 0),
    plainRow('server RSS after, MiB', 'rssAfterMiB', 0),
    ratioRow('RSS added per finished reply, KiB (× the passthrough)', 'rssAddedPerReplyKiB', 1),
    plainRow('its Redis: RSS added per 1,000 finished replies, MiB', 'redisAddedPer1000MiB', 1),
    plainRow('replies the store holds', 'storeStreams', 0),
    plainRow('bytes of frames held per reply (JSON)', 'storeBytesPerReply', 0),
    plainRow('failures', 'failures'),
  ],
};

/** The store's figures from the api's health check, at the origin of `url`. */
async function storeUsage(url: URL): Promise<{ streams: number; bytes: number }> {
  const response = await fetch(new URL('/api/health', url));
  const health = (await response.json()) as { store?: { streams: number; bytes: number } };
  if (!health.store) throw new Error(`no store figures in /api/health: ${JSON.stringify(health)}`);
  return health.store;
}
