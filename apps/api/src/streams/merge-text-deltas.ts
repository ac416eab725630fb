import type { TextDeltaFrame } from '@tokenstream/stream-contracts';
import { storedFrame, type StoredFrame } from './stream-store';

function textDelta(seq: number, delta: string): StoredFrame {
  const frame: TextDeltaFrame = { type: 'text-delta', delta };
  return storedFrame(seq, frame, JSON.stringify(frame));
}

/**
 * Joins runs of consecutive `text-delta` frames into one, which carries the last one's position:
 * a reader that fell behind catches up in fewer, larger frames, and resuming from that position
 * stays exact because nothing before it is left unsent.
 */
export function mergeTextDeltas(frames: readonly StoredFrame[]): StoredFrame[] {
  const merged: StoredFrame[] = [];
  // The current run of text deltas, joined once it ends (a frame is serialised once, not per step).
  let run: StoredFrame[] = [];
  const endRun = () => {
    if (run.length === 1) merged.push(run[0]);
    else if (run.length > 1) {
      const text = run
        .map(({ frame }) => (frame.type === 'text-delta' ? frame.delta : ''))
        .join('');
      merged.push(textDelta(run[run.length - 1].seq, text));
    }
    run = [];
  };
  for (const stored of frames) {
    if (stored.frame.type === 'text-delta') {
      run.push(stored);
    } else {
      endRun();
      merged.push(stored);
    }
  }
  endRun();
  return merged;
}
