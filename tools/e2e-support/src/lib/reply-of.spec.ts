import type { StreamFrame } from '@tokenstream/stream-contracts';
import { replyOf } from './reply-of';

const frames: StreamFrame[] = [
  { type: 'start', streamId: 'st-1', model: 'gpt-test' },
  { type: 'reasoning-delta', delta: 'Hm.' },
  { type: 'text-delta', delta: 'Hel' },
  { type: 'text-delta', delta: 'lo' },
  { type: 'finish', finishReason: 'stop' },
];

describe('replyOf', () => {
  it('folds frames into the text, the thinking and the end', () => {
    const reply = replyOf(frames);
    expect(reply).toMatchObject({ text: 'Hello', reasoning: 'Hm.', finishReason: 'stop' });
    expect(reply.ended).toBe(true);
  });

  it('takes frames as a reader receives them, with their ids', () => {
    const received = frames.map((frame, index) => ({ id: String(index + 1), frame }));
    expect(replyOf(received).text).toBe('Hello');
  });
});
