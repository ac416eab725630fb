import { splitIntoChunks, type RequestOptions } from '@tokenstream/mock-openai';
import { ErrorCodes, type ErrorCode } from '@tokenstream/stream-contracts';
import { ORDINARY_REPLY, chatRequestBody, randomReplyScript } from '../reply-script';
import { isShutdownEnd, type Scenario } from '../scenario-context';
import { readWholeStream } from './read-to-end';

/** The upstream failures a soak injects, and the error code each must reach the reader as. */
export const UPSTREAM_FAULTS = {
  // Retry-After: 0, so the api's retries (which send the same messages, so fail the same way) are quick.
  '429': {
    options: { fault: 'status', faultStatus: 429, faultRetryAfterSeconds: 0 },
    code: ErrorCodes.upstreamRateLimited,
  },
  '500': { options: { fault: 'status', faultStatus: 500 }, code: ErrorCodes.upstreamError },
  '503': {
    options: { fault: 'status', faultStatus: 503, faultRetryAfterSeconds: 0 },
    code: ErrorCodes.upstreamUnavailable,
  },
  cut: { options: { fault: 'cut' }, code: ErrorCodes.upstreamUnavailable },
  malformed: { options: { fault: 'malformed' }, code: ErrorCodes.upstreamError },
} as const satisfies Record<string, { options: RequestOptions; code: ErrorCode }>;

/** One of {@link UPSTREAM_FAULTS}. */
export type UpstreamFaultKind = keyof typeof UPSTREAM_FAULTS;

const KINDS = Object.keys(UPSTREAM_FAULTS) as UpstreamFaultKind[];

/**
 * A reply the upstream breaks: an HTTP 429, 500 or 503 before any text, or a connection cut or a
 * malformed chunk after a random number of chunks. The reader must get an `error` frame with the
 * fault's code, no hang, and exactly the text the upstream sent before it broke.
 */
export const upstreamFault: Scenario = async (context) => {
  const { rng } = context;
  const kind = rng.pick(KINDS);
  const script = randomReplyScript(rng, ORDINARY_REPLY, context.tag);
  const pieces = splitIntoChunks(script.reply, script.chunks);
  const breaksMidReply = kind === 'cut' || kind === 'malformed';
  const cutAfterChunks = breaksMidReply ? rng.int(0, pieces.length - 1) : 0;
  const fault = UPSTREAM_FAULTS[kind];
  const body = chatRequestBody({
    ...script,
    ...fault.options,
    ...(breaksMidReply ? { cutAfterChunks } : {}),
  });

  const { outcome, log } = await readWholeStream(context, 'upstream-fault', body, script.reply);
  outcome.facts['fault'] = kind;
  outcome.facts['cutAfterChunks'] = cutAfterChunks;
  const { end } = outcome;
  if (!end || outcome.refused || isShutdownEnd(context, end)) return [outcome];
  if (end.kind !== 'error' || end.code !== fault.code) {
    outcome.unexpected.push(`${kind}: ended with ${JSON.stringify(end)}, not error ${fault.code}`);
  }
  // What the upstream sent before it broke reached the reader, all of it and nothing more.
  const sentBeforeFault = pieces.slice(0, cutAfterChunks).join('');
  if (log.text !== sentBeforeFault) {
    outcome.unexpected.push(
      `${kind} after ${cutAfterChunks} chunks: received ${log.text.length} characters, the upstream sent ${sentBeforeFault.length}`,
    );
  }
  return [outcome];
};
