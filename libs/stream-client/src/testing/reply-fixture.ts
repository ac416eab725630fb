import { encodeFrame, type StreamFrame } from '@tokenstream/stream-contracts';

/** The stream the fake api serves. */
export const STREAM_ID = 's-1';

/** A reply with 2- and 4-byte characters, so that cuts can land inside them. Ids are 1 to 5. */
export const FRAMES: readonly StreamFrame[] = [
  { type: 'start', streamId: STREAM_ID, model: 'm' },
  { type: 'text-delta', delta: 'Hél' },
  { type: 'text-delta', delta: 'lo 🙂' },
  { type: 'text-delta', delta: ' world' },
  { type: 'finish', finishReason: 'stop' },
];

/** The text of {@link FRAMES}. */
export const REPLY_TEXT = 'Héllo 🙂 world';

/** The SSE events of the frames after id `after` through id `through`, one string each. */
export function wireFrames(after = 0, through = FRAMES.length): string[] {
  return FRAMES.slice(after, through).map((frame, i) => encodeFrame(frame, String(after + i + 1)));
}

/** The SSE text of the frames after id `after` through id `through`, as the api sends it. */
export function wire(after = 0, through = FRAMES.length): string {
  return wireFrames(after, through).join('');
}

/** The frames with their ids, as a reader should receive them: each once, in order. */
export function received(after = 0): { id: string; frame: StreamFrame }[] {
  return FRAMES.slice(after).map((frame, i) => ({ id: String(after + i + 1), frame }));
}
