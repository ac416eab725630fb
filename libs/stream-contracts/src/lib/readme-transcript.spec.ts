import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isTerminalFrame } from './frames';
import { readFrames } from './read-frames';

/** The spec's transcript must stay something this library reads as a valid stream. */
describe('the README transcript', () => {
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  const transcript = /```text\n\$ curl -N[^\n]*\n[^\n]*\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const body = transcript.slice(transcript.indexOf('\n\n') + 2);

  it('is a stream of valid frames: start first, ids counting up, one terminal frame last', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(body));
        controller.close();
      },
    });
    const comments: string[] = [];
    const received = [];
    for await (const frame of readFrames(stream, undefined, {
      onComment: (c) => comments.push(c),
    })) {
      received.push(frame);
    }
    expect(comments).toEqual(['keep-alive']);
    expect(received[0].frame.type).toBe('start');
    expect(received.map(({ id }) => Number(id))).toEqual(received.map((_, index) => index + 1));
    expect(received.filter(({ frame }) => isTerminalFrame(frame))).toEqual([received.at(-1)]);
  });
});
