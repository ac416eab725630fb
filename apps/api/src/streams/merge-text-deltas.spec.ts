import type { StreamFrame } from '@tokenstream/stream-contracts';
import { mergeTextDeltas } from './merge-text-deltas';
import type { StoredFrame } from './stream-store';

const stored = (seq: number, frame: StreamFrame): StoredFrame => ({
  seq,
  frame,
  json: JSON.stringify(frame),
});
const delta = (seq: number, text: string) => stored(seq, { type: 'text-delta', delta: text });

describe('mergeTextDeltas', () => {
  it('joins consecutive deltas into one that carries the last position, and its JSON', () => {
    const merged = mergeTextDeltas([
      stored(1, { type: 'start', streamId: 's', model: 'm' }),
      delta(2, 'Hel'),
      delta(3, 'lo '),
      delta(4, '🙂'),
      stored(5, { type: 'finish', finishReason: 'stop' }),
      delta(6, 'a'),
      delta(7, '"b"'),
    ]);
    expect(merged).toEqual([
      stored(1, { type: 'start', streamId: 's', model: 'm' }),
      delta(4, 'Hello 🙂'),
      stored(5, { type: 'finish', finishReason: 'stop' }),
      delta(7, 'a"b"'),
    ]);
  });

  it('leaves a lone delta and an empty batch as they are', () => {
    expect(mergeTextDeltas([delta(7, 'x')])).toEqual([delta(7, 'x')]);
    expect(mergeTextDeltas([])).toEqual([]);
  });
});
