import type { StoredFrame } from './stream-store';

/**
 * Joins runs of consecutive `text-delta` frames into one, which carries the last one's position:
 * a reader that fell behind catches up in fewer, larger frames, and resuming from that position
 * stays exact because nothing before it is left unsent.
 */
export function mergeTextDeltas(frames: readonly StoredFrame[]): StoredFrame[] {
  const merged: StoredFrame[] = [];
  for (const stored of frames) {
    const previous = merged.at(-1);
    if (stored.frame.type === 'text-delta' && previous?.frame.type === 'text-delta') {
      merged[merged.length - 1] = {
        seq: stored.seq,
        frame: { type: 'text-delta', delta: previous.frame.delta + stored.frame.delta },
      };
    } else {
      merged.push(stored);
    }
  }
  return merged;
}
