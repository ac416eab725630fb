import { ErrorCodes } from '@tokenstream/stream-contracts';
import { chatRequestBody, randomReplyScript, type ReplyShape } from '../reply-script';
import type { Scenario } from '../scenario-context';
import { readWholeStream } from './read-to-end';

/** Replies of five to eight seconds: longer than any drain time a soak uses by default. */
const DRAWN_OUT_REPLY: ReplyShape = {
  words: [40, 80],
  chunks: [50, 80],
  chunkDelayMs: [100, 100],
  firstTokenDelayMs: [0, 0],
};

/**
 * A reader of a long reply on the instance about to get SIGTERM, started just before it: the
 * drain must end the reply with the retryable `server_shutting_down` error once STREAM_DRAIN_MS
 * has passed, and the reader must get that frame (and a prefix of the reply) before the process
 * exits.
 */
export const readThroughSigterm: Scenario = async (context) => {
  const script = randomReplyScript(context.rng, DRAWN_OUT_REPLY, context.tag);
  const { outcome } = await readWholeStream(
    context,
    'read-through-sigterm',
    chatRequestBody(script),
    script.reply,
  );
  const { end } = outcome;
  if (end && !(end.kind === 'error' && end.code === ErrorCodes.serverShuttingDown)) {
    outcome.unexpected.push(`ended with ${JSON.stringify(end)}, not error server_shutting_down`);
  }
  return [outcome];
};
