import { mergeTextDeltas } from './merge-text-deltas';
import type { StoredFrame } from './stream-store';

const delta = (seq: number, text: string): StoredFrame => ({
  seq,
  frame: { type: 'text-delta', delta: text },
});

describe('mergeTextDeltas', () => {
  it('joins consecutive deltas into one that carries the last position', () => {
    const merged = mergeTextDeltas([
      { seq: 1, frame: { type: 'start', streamId: 's', model: 'm' } },
      delta(2, 'Hel'),
      delta(3, 'lo '),
      delta(4, '🙂'),
      { seq: 5, frame: { type: 'finish', finishReason: 'stop' } },
    ]);
    expect(merged).toEqual([
      { seq: 1, frame: { type: 'start', streamId: 's', model: 'm' } },
      delta(4, 'Hello 🙂'),
      { seq: 5, frame: { type: 'finish', finishReason: 'stop' } },
    ]);
  });

  it('leaves a lone delta and an empty batch as they are', () => {
    expect(mergeTextDeltas([delta(7, 'x')])).toEqual([delta(7, 'x')]);
    expect(mergeTextDeltas([])).toEqual([]);
  });
});
