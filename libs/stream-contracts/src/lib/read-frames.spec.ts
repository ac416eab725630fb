import { ReceivedFrame, StreamFrame } from './frames';
import { readFrames } from './read-frames';
import { encodeFrame, encodeSseComment, encodeSseEvent } from './sse-encoder';
import { StreamProtocolError } from './stream-protocol-error';

const encoder = new TextEncoder();

/**
 * A body that hands out `chunks` one read at a time, like a socket, and records its cancels.
 * `endless` leaves it open after the last chunk: further reads stay pending, like an idle stream.
 */
function bodyOf(chunks: readonly (string | Uint8Array)[], { endless = false } = {}) {
  const cancels: unknown[] = [];
  let next = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (next < chunks.length) {
          const chunk = chunks[next++];
          controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
        } else if (!endless) {
          controller.close();
        }
      },
      cancel(reason) {
        cancels.push(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return { body, cancels };
}

async function collect(frames: AsyncIterable<ReceivedFrame>): Promise<ReceivedFrame[]> {
  const out: ReceivedFrame[] = [];
  for await (const frame of frames) out.push(frame);
  return out;
}

const start: StreamFrame = { type: 'start', streamId: 'st-1', model: 'gpt-test' };
const deltaA: StreamFrame = { type: 'text-delta', delta: 'Héllo, ' };
const deltaB: StreamFrame = { type: 'text-delta', delta: 'w€rld 🙂\n' };
const finish: StreamFrame = {
  type: 'finish',
  finishReason: 'stop',
  usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 },
};

// A small transcript as the api writes it, with a keep-alive and a frame of a future type.
const transcript =
  encodeFrame(start, '1') +
  encodeSseComment('keep-alive') +
  encodeFrame(deltaA, '2') +
  encodeSseEvent({ id: '3', data: JSON.stringify({ type: 'tool-call', name: 'x' }) }) +
  encodeFrame(deltaB, '4') +
  encodeFrame(finish, '5');

const expectedFrames: ReceivedFrame[] = [
  { id: '1', frame: start },
  { id: '2', frame: deltaA },
  { id: '4', frame: deltaB },
  { id: '5', frame: finish },
];

describe('readFrames', () => {
  it('reads a transcript cut into two chunks at every byte offset', async () => {
    const bytes = encoder.encode(transcript);
    const results: { cut: number; frames: ReceivedFrame[] }[] = [];
    for (let cut = 0; cut <= bytes.length; cut++) {
      const { body } = bodyOf([bytes.slice(0, cut), bytes.slice(cut)]);
      results.push({ cut, frames: await collect(readFrames(body)) });
    }
    expect(results).toEqual(results.map(({ cut }) => ({ cut, frames: expectedFrames })));
  });

  it('reads a transcript one byte at a time', async () => {
    const chunks = Array.from(encoder.encode(transcript), (byte) => Uint8Array.of(byte));
    expect(await collect(readFrames(bodyOf(chunks).body))).toEqual(expectedFrames);
  });

  it('reports comments to onComment', async () => {
    const comments: string[] = [];
    const frames = readFrames(bodyOf([transcript]).body, undefined, {
      onComment: (text) => comments.push(text),
    });
    await collect(frames);
    expect(comments).toEqual(['keep-alive']);
  });

  it('skips frames of unknown type and gives undefined ids when the api sent none', async () => {
    const wire =
      encodeSseEvent({ data: '{"type":"future","x":1}' }) +
      encodeFrame(deltaA) +
      encodeSseEvent({ data: '{"type":"","x":1}' });
    expect(await collect(readFrames(bodyOf([wire]).body))).toEqual([
      { id: undefined, frame: deltaA },
    ]);
  });

  it('returns normally when the body ends mid-event', async () => {
    const { body, cancels } = bodyOf([encodeFrame(start, '1') + 'id: 2\ndata: {"type":"text-']);
    expect(await collect(readFrames(body))).toEqual([{ id: '1', frame: start }]);
    expect(cancels).toEqual([]);
  });

  describe('protocol errors', () => {
    it.each([
      ['data that is not JSON', 'data: not json\n\n', /not valid JSON: "not json"/],
      ['JSON that is not an object', 'data: [1,2]\n\n', /not a frame/],
      ['an object without a string type', 'data: {"type":5}\n\n', /not a frame/],
      ['a malformed start frame', 'data: {"type":"start"}\n\n', /Malformed "start" frame/],
      [
        'a malformed text-delta frame',
        'data: {"type":"text-delta","delta":5}\n\n',
        /Malformed "text-delta" frame/,
      ],
      [
        'a finish frame with an unknown reason',
        'data: {"type":"finish","finishReason":"bored"}\n\n',
        /Malformed "finish" frame/,
      ],
    ])(
      'throws a StreamProtocolError for %s, and cancels the body',
      async (_name, wire, message) => {
        const { body, cancels } = bodyOf(
          [encodeFrame(start, '1'), wire, encodeFrame(deltaA, '2')],
          {
            endless: true,
          },
        );
        const seen: ReceivedFrame[] = [];
        const error = await (async () => {
          try {
            for await (const frame of readFrames(body)) seen.push(frame);
          } catch (caught) {
            return caught;
          }
          return undefined;
        })();
        expect(seen).toEqual([{ id: '1', frame: start }]);
        expect(error).toBeInstanceOf(StreamProtocolError);
        expect(error).toMatchObject({ name: 'StreamProtocolError', message });
        expect(cancels).toHaveLength(1);
      },
    );

    it('quotes no more than ~200 characters of a huge payload', async () => {
      const huge = 'x'.repeat(100_000);
      const iteration = collect(readFrames(bodyOf([`data: ${huge}\n\n`]).body));
      const error = await iteration.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StreamProtocolError);
      expect((error as Error).message.length).toBeLessThan(300);
    });
  });

  describe('cancellation', () => {
    it('on abort during a pending read, cancels the body and throws an AbortError', async () => {
      const { body, cancels } = bodyOf([encodeFrame(start, '1')], { endless: true });
      const controller = new AbortController();
      const frames = readFrames(body, controller.signal);
      await expect(frames.next()).resolves.toEqual({
        done: false,
        value: { id: '1', frame: start },
      });
      const pending = frames.next();
      controller.abort();
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
      expect(cancels).toHaveLength(1);
      expect(cancels[0]).toMatchObject({ name: 'AbortError' });
      await expect(frames.next()).resolves.toEqual({ done: true, value: undefined });
    });

    it('throws the signal reason when the abort gives one', async () => {
      const { body, cancels } = bodyOf([], { endless: true });
      const controller = new AbortController();
      const reason = new Error('user left');
      const iteration = collect(readFrames(body, controller.signal));
      await Promise.resolve();
      controller.abort(reason);
      await expect(iteration).rejects.toBe(reason);
      expect(cancels).toEqual([reason]);
    });

    it('on abort while the consumer holds a frame, cancels at once and throws on the next read', async () => {
      const { body, cancels } = bodyOf([encodeFrame(start, '1') + encodeFrame(deltaA, '2')]);
      const controller = new AbortController();
      const frames = readFrames(body, controller.signal);
      await frames.next();
      controller.abort();
      expect(cancels).toHaveLength(1);
      // deltaA was already parsed, but an aborted reader hands out nothing more.
      await expect(frames.next()).rejects.toMatchObject({ name: 'AbortError' });
    });

    it('with an already aborted signal, cancels the body and throws without reading', async () => {
      const { body, cancels } = bodyOf([encodeFrame(start, '1')]);
      const controller = new AbortController();
      controller.abort();
      await expect(collect(readFrames(body, controller.signal))).rejects.toMatchObject({
        name: 'AbortError',
      });
      expect(cancels).toHaveLength(1);
    });

    it('cancels the body when the consumer breaks early', async () => {
      const { body, cancels } = bodyOf([transcript], { endless: true });
      for await (const received of readFrames(body)) {
        expect(received.frame).toEqual(start);
        break;
      }
      expect(cancels).toHaveLength(1);
    });

    it('does not cancel a body that ended', async () => {
      const { body, cancels } = bodyOf([transcript]);
      await collect(readFrames(body, new AbortController().signal));
      expect(cancels).toEqual([]);
    });

    it('passes on an error of the body itself', async () => {
      const failure = new TypeError('network error');
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(encoder.encode(encodeFrame(start, '1')));
          controller.error(failure);
        },
      });
      await expect(collect(readFrames(body))).rejects.toBe(failure);
    });
  });
});
