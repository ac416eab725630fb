import {
  ReplyAccumulator,
  type ReceivedFrame,
  type StreamFrame,
} from '@tokenstream/stream-contracts';

/**
 * What `frames` add up to (the text, a reasoning model's thinking, how it ended), folded by the
 * contracts' own {@link ReplyAccumulator}, as the typed client and the api fold a reply.
 */
export function replyOf(frames: Iterable<StreamFrame | ReceivedFrame>): ReplyAccumulator {
  const reply = new ReplyAccumulator();
  for (const item of frames) reply.add('type' in item ? item : item.frame);
  return reply;
}
