import { encodeFrame, encodeSseComment, type StreamFrame } from '@tokenstream/stream-contracts';
import { readStream } from './read-stream';

/** A 200 SSE response that sends `chunks`, then ends, or stays open when `end` is false. */
function sseResponse(chunks: string[], { end = true } = {}): Response {
  const bytes = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(bytes.encode(chunk));
      if (end) controller.close();
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}

const delta = (text: string): StreamFrame => ({ type: 'text-delta', delta: text });
const finish: StreamFrame = { type: 'finish', finishReason: 'stop' };

describe('readStream', () => {
  it('reads to the end: frames, comments and the text the deltas make', async () => {
    const response = sseResponse([
      encodeSseComment('keep-alive'),
      encodeFrame(delta('Hel'), '1'),
      encodeFrame(delta('lo'), '2'),
      encodeFrame(finish, '3'),
    ]);
    const transcript = await readStream(response);
    expect(transcript.response).toBe(response);
    expect(transcript.frames.map(({ id }) => id)).toEqual(['1', '2', '3']);
    expect(transcript.comments.map(({ text }) => text)).toEqual(['keep-alive']);
    expect(transcript.text()).toBe('Hello');
  });

  it('stops where `until` says, even though the stream goes on', async () => {
    const response = sseResponse([encodeFrame(delta('a'), '1'), encodeFrame(delta('b'), '2')], {
      end: false,
    });
    const transcript = await readStream(response, { until: (t) => t.frames.length === 1 });
    expect(transcript.text()).toBe('a');
  });

  it('stops after `frames` frames, even though the stream goes on', async () => {
    const response = sseResponse(
      [encodeFrame(delta('a'), '1'), encodeFrame(delta('b'), '2'), encodeFrame(delta('c'), '3')],
      { end: false },
    );
    const transcript = await readStream(response, { frames: 2 });
    expect(transcript.frames.map(({ id }) => id)).toEqual(['1', '2']);
    expect(transcript.cut).toBe(false);
  });

  it('cuts the body after `cutAfterBytes`, inside a character, counting only whole frames', async () => {
    const first = encodeFrame(delta('é'), '1');
    const second = encodeFrame(delta('日本'), '2');
    const firstBytes = new TextEncoder().encode(first).byteLength;
    // Up to the middle of the first multi-byte character of the second frame.
    const cutAt = firstBytes + new TextEncoder().encode(second).indexOf(0xe6) + 1;
    const transcript = await readStream(sseResponse([first + second, encodeFrame(finish, '3')]), {
      cutAfterBytes: cutAt,
    });
    expect(transcript.cut).toBe(true);
    expect(transcript.bytes).toBe(cutAt);
    expect(transcript.frames.map(({ id }) => id)).toEqual(['1']);
    expect(transcript.text()).toBe('é');
  });

  it('reads to the end, uncut, when the body is shorter than `cutAfterBytes`', async () => {
    const transcript = await readStream(sseResponse([encodeFrame(finish, '1')]), {
      cutAfterBytes: 10_000,
    });
    expect(transcript.cut).toBe(false);
    expect(transcript.frames).toHaveLength(1);
  });

  it('fails after timeoutMs, showing what had arrived', async () => {
    const response = sseResponse([encodeFrame(delta('Hi'), '1')], { end: false });
    await expect(readStream(response, { timeoutMs: 200 })).rejects.toThrow(
      'stream not done after 200 ms; received:\n1:{"type":"text-delta","delta":"Hi"}',
    );
  });
});
