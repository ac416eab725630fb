import { holdNeverReadingReaders } from '../never-reading-readers';
import { chatRequestBody } from '../reply-script';
import type { Scenario } from '../scenario-context';
import { expectFinishStop, readWholeStream } from './read-to-end';

/**
 * Readers that never read: a long reply is generated and read to the end once (its text must be
 * the long reply exactly), then one to three raw sockets ask for its replay from the start and
 * never read a byte, for half a second to four seconds, and are destroyed. What the api does with
 * them shows in its memory and handles after the soak, not in any stream's text.
 */
export const neverRead: Scenario = async (context) => {
  const { rng, instance } = context;
  const readers = rng.int(1, 3);
  const holdMs = rng.int(500, 4_000);
  // No options of its own: the mock sends the long reply it was configured with.
  const { outcome } = await readWholeStream(
    context,
    'long-read',
    chatRequestBody(undefined),
    context.longReply,
  );
  expectFinishStop(context, outcome);
  if (!outcome.streamId || outcome.end?.kind !== 'finish' || instance.going) return [outcome];
  const held = await holdNeverReadingReaders(instance.port, outcome.streamId, readers, holdMs);
  const replayBytes = Buffer.byteLength(context.longReply);
  outcome.facts['neverReadReaders'] = held.readers;
  outcome.facts['neverReadHeldMs'] = holdMs;
  outcome.facts['neverReadFailed'] = held.failed;
  outcome.facts['neverReadClosedByServer'] = held.closedByServer;
  outcome.facts['neverReadMaxQueuedBytes'] = Math.max(0, ...held.queuedBytes);
  // Less in the kernel than the reply's text alone: the rest waits in the api's store, unsent.
  outcome.facts['neverReadBackpressured'] = held.queuedBytes.filter((q) => q < replayBytes).length;
  return [outcome];
};
