import { replyOf } from '@tokenstream/e2e-support';
import { streamChat } from '@tokenstream/stream-client';
import type { StreamFrame } from '@tokenstream/stream-contracts';
import { useApiUnderTest } from './support/api-under-test';

const REPLY = Array.from({ length: 40 }, (_, i) => `word${i} `).join('');
const request = { messages: [{ role: 'user' as const, content: 'Hi' }] };

describe('a Redis that comes back empty in the middle of a reply', () => {
  const app = useApiUnderTest({
    upstream: { reply: REPLY, chunks: 40, chunkDelayMs: 100 },
    redis: true,
    env: { CHAT_MODELS: 'gpt-4o-mini', STREAM_RESUME_GRACE_MS: '10000' },
  });

  it('ends it for its reader with a retryable generation_lost, aborts its upstream, and streams new replies', async () => {
    const frames: StreamFrame[] = [];
    const stream = streamChat(request, {
      baseUrl: app.url,
      resume: { maxAttempts: 30, initialDelayMs: 100, maxDelayMs: 500 },
    });
    let restarted: Promise<void> | undefined;
    const startedAt = Date.now();
    const read = (async () => {
      for await (const event of stream.events()) {
        if (event.kind !== 'frame') continue;
        frames.push(event.frame);
        // A few words in, Redis restarts without its data.
        if (frames.length === 5) restarted = app.redis.restart();
      }
    })();
    await read.catch(() => undefined);
    await restarted;
    // Not "not found", which would say it expired: lost, and worth sending again.
    expect(frames.at(-1)).toMatchObject({
      type: 'error',
      code: 'generation_lost',
      retryable: true,
    });
    const text = replyOf(frames).text;
    expect(REPLY.startsWith(text)).toBe(true);
    expect(Date.now() - startedAt).toBeLessThan(15_000);
    // Its generation could write nowhere: the upstream request was let go.
    await app.upstream.waitFor((stats) => stats.streamsAborted === 1, 10_000);
    // And the api works on: a new reply streams in full.
    const next = await streamChat(request, { baseUrl: app.url }).final();
    expect(next.text).toBe(REPLY);
  }, 30_000);
});
