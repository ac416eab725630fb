import { replyOf } from '@tokenstream/e2e-support';
import type { ChatStream } from '@tokenstream/stream-client';
import type { StreamFrame } from '@tokenstream/stream-contracts';

/** What a typed client read of one reply, through every resume. */
export interface ChatReading {
  frames: { id: string | undefined; frame: StreamFrame }[];
  text: string;
  reconnects: number;
  last: StreamFrame | undefined;
}

/** Every frame `stream` yields, with its id, to the end; `onFrame` sees each as it comes. */
export async function readChat(
  stream: ChatStream,
  onFrame: (frame: StreamFrame) => void = () => undefined,
): Promise<ChatReading> {
  const frames: ChatReading['frames'] = [];
  let reconnects = 0;
  for await (const event of stream.events()) {
    if (event.kind === 'frame') {
      frames.push({ id: event.id, frame: event.frame });
      onFrame(event.frame);
    }
    if (event.kind === 'reconnecting') reconnects += 1;
  }
  return { frames, text: replyOf(frames).text, reconnects, last: frames.at(-1)?.frame };
}
