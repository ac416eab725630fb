import { cuttingFetch, replyOf, seededRandom } from '@tokenstream/e2e-support';
import { resumeChat, stopStream, streamChat } from '@tokenstream/stream-client';
import type { ReceivedFrame } from '@tokenstream/stream-contracts';
import { useApiUnderTest } from './support/api-under-test';

const REPLY = Array.from({ length: 30 }, (_, i) => `mot${i} ça 日本 🙂 `).join('');

describe('the typed client (@tokenstream/stream-client) against the api', () => {
  const app = useApiUnderTest({ upstream: { reply: REPLY, chunks: 40, chunkDelayMs: 10 } });

  it('streams a reply and gives its final text', async () => {
    const result = await streamChat(
      { messages: [{ role: 'user', content: 'Hi' }] },
      { baseUrl: app.url },
    ).final();
    expect(result.text).toBe(REPLY);
    expect(result.finish).toMatchObject({ type: 'finish', finishReason: 'stop' });
  });

  it.each([11, 12, 13, 14, 15])(
    'resumes by itself after cuts at random bytes, exactly, without sending the prompt twice (seed %i)',
    async (seed) => {
      let reconnects = 0;
      const stream = streamChat(
        { messages: [{ role: 'user', content: 'Hi' }] },
        {
          baseUrl: app.url,
          fetch: cuttingFetch(seededRandom(seed)),
          resume: { maxAttempts: 20, initialDelayMs: 5, maxDelayMs: 20 },
        },
      );
      for await (const event of stream.events()) {
        if (event.kind === 'reconnecting') reconnects++;
      }
      const result = await stream.final();
      expect(result.text).toBe(REPLY);
      expect(reconnects).toBeGreaterThan(1);
      expect(app.upstream.stats().requests).toBe(1);
    },
  );

  it('picks a stream up with resumeChat after the reader left it', async () => {
    const before = streamChat(
      { messages: [{ role: 'user', content: 'Hi' }] },
      { baseUrl: app.url },
    );
    const seen: ReceivedFrame[] = [];
    for await (const received of before) {
      if (seen.push(received) === 5) break;
    }
    const start = seen[0]?.frame;
    if (start?.type !== 'start') throw new Error('no start frame before leaving');
    const { streamId } = start;
    const lastEventId = seen.at(-1)?.id;
    const textBefore = replyOf(seen).text;
    expect(textBefore).not.toBe('');
    const after = await resumeChat({ streamId, lastEventId }, { baseUrl: app.url }).final();
    expect(after.text).not.toBe('');
    expect(textBefore + after.text).toBe(REPLY);
    expect(after).toMatchObject({ streamId, finish: { finishReason: 'stop' } });
    expect(app.upstream.stats().requests).toBe(1);
  });

  it('stops a stream with stopStream: its reader gets finish cancelled', async () => {
    app.upstream.configure({ chunkDelayMs: 50 });
    const stream = streamChat(
      { messages: [{ role: 'user', content: 'Hi' }] },
      { baseUrl: app.url },
    );
    let streamId: string | undefined;
    let stopped: Promise<unknown> | undefined;
    for await (const event of stream.events()) {
      if (event.kind === 'connected') streamId = event.streamId;
      if (event.kind === 'frame' && event.frame.type === 'text-delta') {
        if (streamId === undefined) throw new Error('connected without a stream id');
        stopped ??= stopStream(streamId, { baseUrl: app.url }).then(
          () => 'stopped',
          (error: unknown) => error,
        );
      }
    }
    expect(await stopped).toBe('stopped');
    const result = await stream.final();
    expect(result.finish).toEqual({ type: 'finish', finishReason: 'cancelled' });
    expect(result.text.length).toBeLessThan(REPLY.length);
    expect(REPLY.startsWith(result.text)).toBe(true);
  });
});
