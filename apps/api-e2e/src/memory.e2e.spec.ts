import { readStream, replyOf, type StreamTranscript } from '@tokenstream/e2e-support';
import { ApiPaths, STREAM_ID_HEADER, type HealthResponse } from '@tokenstream/stream-contracts';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { useApiUnderTest } from './support/api-under-test';
import { chat } from './support/stream-client';

const hi = { messages: [{ role: 'user', content: 'Hi' }] };

async function health(api: { url: string }): Promise<HealthResponse> {
  return (await (await fetch(new URL(ApiPaths.health, api.url))).json()) as HealthResponse;
}

describe('memory stays within the configured bounds', () => {
  describe('a store smaller than the streams it is asked to keep', () => {
    const maxBytes = 60_000;
    const app = useApiUnderTest({
      env: {
        DEMO_TOKEN_DELAY_MS: '0',
        STREAM_MAX_BYTES: '20000',
        STREAM_STORE_MAX_BYTES: String(maxBytes),
      },
    });

    it('evicts the oldest finished streams to make room for new ones, and says so to their readers', async () => {
      const first = await chat(app.url, hi);
      const firstId = first.response.headers.get(STREAM_ID_HEADER)!;
      let stored = 0;
      for (let i = 0; i < 25; i++) stored += (await chat(app.url, hi)).frames.length;
      expect(stored).toBeGreaterThan(25 * 100); // far more than the store may keep
      const { store } = await health(app);
      if (!store) throw new Error('the health check shows no store');
      expect(store.maxBytes).toBe(maxBytes);
      expect(store.bytes).toBeLessThanOrEqual(maxBytes);
      expect(store.reservedBytes).toBeLessThanOrEqual(maxBytes);
      expect(store.streams).toBeLessThan(26);
      const gone = await fetch(new URL(ApiPaths.streamEvents(firstId), app.url));
      expect(gone.status).toBe(404);
    });
  });

  describe('a very slow reader', () => {
    // Several megabytes: more than the sockets' buffers hold, so the reader really falls behind.
    const chunks = 1_500;
    const reply = Array.from(
      { length: chunks },
      (_, i) => `${String(i).padStart(5, '0')}${'x'.repeat(3_000)}|`,
    ).join('');

    const app = useApiUnderTest({
      upstream: { reply, chunks, chunkDelayMs: 0 },
      env: { STREAM_MAX_BYTES: String(64 * 1024 * 1024) },
    });

    it('catches up in merged frames and still receives the exact reply', async () => {
      const transcript = await new Promise<StreamTranscript>((resolve, reject) => {
        const req = request(new URL(ApiPaths.chatStream, app.url), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
        });
        req.on('error', reject);
        req.on('response', (res) => {
          // Read nothing while the whole reply is generated (a raw socket, paused: fetch might
          // buffer for us), then read it all.
          res.pause();
          void app.upstream
            .waitFor((s) => s.streamsCompleted === 1, 20_000)
            .then(() => readStream(new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>)))
            .then(resolve, reject);
        });
        req.end(JSON.stringify(hi));
      });
      const { frames } = transcript;
      const deltas = frames.filter(({ frame }) => frame.type === 'text-delta');
      const text = replyOf(frames).text;
      expect(text).toBe(reply);
      expect(deltas.length).toBeLessThan(chunks);
      const ids = frames.map(({ id }) => Number(id));
      expect(ids.every((id, i) => i === 0 || id > ids[i - 1])).toBe(true);
      expect(frames.at(-1)?.frame).toMatchObject({ type: 'finish', finishReason: 'stop' });
    });
  });
});
