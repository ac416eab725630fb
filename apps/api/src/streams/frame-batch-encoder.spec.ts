import { encodeFrameJson, type StreamFrame } from '@tokenstream/stream-contracts';
import { encodeFrameBatch, KEEP_ALIVE_TEXT } from './frame-batch-encoder';
import { mergeTextDeltas } from './merge-text-deltas';
import { EXPIRED, type DeliveryBatch } from './stream-delivery';
import { storedFrame, type StoredFrame } from './stream-store';

const stored = (seq: number, frame: StreamFrame): StoredFrame =>
  storedFrame(seq, frame, JSON.stringify(frame));
const delta = (seq: number, text: string) => stored(seq, { type: 'text-delta', delta: text });

/** What a batch puts on the wire, as text. */
const textOf = (batch: DeliveryBatch) => encodeFrameBatch(batch).toString('utf8');

describe('encodeFrameBatch', () => {
  it('writes each frame as the event the contracts encoder makes of it, in order', () => {
    const batch = [
      stored(1, { type: 'start', streamId: 's', model: 'm' }),
      delta(2, 'ü "quoted" \\ \n 🔑 \u2028'),
      stored(3, { type: 'finish', finishReason: 'stop' }),
    ];
    expect(textOf(batch)).toBe(
      batch.map(({ seq, frame }) => encodeFrameJson(JSON.stringify(frame), String(seq))).join(''),
    );
    expect(textOf(EXPIRED)).toBe(encodeFrameJson(EXPIRED[0].json));
    expect(textOf([])).toBe(KEEP_ALIVE_TEXT);
  });

  it('encodes a frame once for all its readers: each is sent the event the first one made', () => {
    const frame = delta(7, 'x');
    const first = textOf([frame]);
    expect(frame.sse?.toString()).toBe('id: 7\ndata: {"type":"text-delta","delta":"x"}\n\n');
    // Another reader, handed the same object in another batch: the same bytes, from the frame.
    expect(textOf([delta(6, 'w'), frame])).toBe(
      'id: 6\ndata: {"type":"text-delta","delta":"w"}\n\n' + first,
    );
    // The event kept is what is sent: it is not made again.
    frame.sse = Buffer.from('id: 7\ndata: kept\n\n');
    expect(textOf([frame])).toBe('id: 7\ndata: kept\n\n');
  });

  it('encodes merged deltas as frames of their own, leaving the frames they join as they were', () => {
    const [a, b] = [delta(2, 'a'), delta(3, 'b')];
    const alone = textOf([b]);
    const merged = mergeTextDeltas([a, b]);
    expect(textOf(merged)).toBe('id: 3\ndata: {"type":"text-delta","delta":"ab"}\n\n');
    // The frame whose position the merged one carries still sends its own event to other readers.
    expect(textOf([b])).toBe(alone);
    expect(alone).toBe('id: 3\ndata: {"type":"text-delta","delta":"b"}\n\n');
  });
});
