import { startApi, type ApiProcess } from '@tokenstream/e2e-support';
import { startMockOpenAi, type MockOpenAi } from '@tokenstream/mock-openai';
import {
  ApiPaths,
  STREAM_ID_HEADER,
  createSseParser,
  type HealthResponse,
  type StreamFrame,
} from '@tokenstream/stream-contracts';
import { request } from 'node:http';
import { chat } from './support/stream-client';

const hi = { messages: [{ role: 'user', content: 'Hi' }] };

async function health(api: ApiProcess): Promise<HealthResponse> {
  return (await (await fetch(new URL(ApiPaths.health, api.url))).json()) as HealthResponse;
}

describe('memory stays within the configured bounds', () => {
  it('evicts the oldest finished streams to make room for new ones, and says so to their readers', async () => {
    const maxBytes = 60_000;
    const api = await startApi({
      DEMO_TOKEN_DELAY_MS: '0',
      STREAM_MAX_BYTES: '20000',
      STREAM_STORE_MAX_BYTES: String(maxBytes),
    });
    try {
      const first = await chat(api.url, hi);
      const firstId = first.response.headers.get(STREAM_ID_HEADER)!;
      let stored = 0;
      for (let i = 0; i < 25; i++) stored += (await chat(api.url, hi)).frames.length;
      expect(stored).toBeGreaterThan(25 * 100); // far more than the store may keep
      const { store } = await health(api);
      if (!store) throw new Error('the health check shows no store');
      expect(store.maxBytes).toBe(maxBytes);
      expect(store.bytes).toBeLessThanOrEqual(maxBytes);
      expect(store.reservedBytes).toBeLessThanOrEqual(maxBytes);
      expect(store.streams).toBeLessThan(26);
      const gone = await fetch(new URL(ApiPaths.streamEvents(firstId), api.url));
      expect(gone.status).toBe(404);
    } finally {
      await api.stop();
    }
  });

  describe('a very slow reader', () => {
    let mock: MockOpenAi;
    let api: ApiProcess;
    // Several megabytes: more than the sockets' buffers hold, so the reader really falls behind.
    const chunks = 1_500;
    const reply = Array.from(
      { length: chunks },
      (_, i) => `${String(i).padStart(5, '0')}${'x'.repeat(3_000)}|`,
    ).join('');

    beforeAll(async () => {
      mock = await startMockOpenAi({ reply, chunks, chunkDelayMs: 0 });
      api = await startApi({
        OPENAI_API_KEY: 'sk-test',
        OPENAI_BASE_URL: mock.url,
        STREAM_MAX_BYTES: String(64 * 1024 * 1024),
      });
    });
    afterAll(async () => {
      await api?.stop();
      await mock?.close();
    });

    it('catches up in merged frames and still receives the exact reply', async () => {
      const frames: { id?: string; frame: StreamFrame }[] = [];
      const parser = createSseParser({
        onEvent: (event) =>
          frames.push({ id: event.id, frame: JSON.parse(event.data) as StreamFrame }),
      });
      await new Promise<void>((resolve, reject) => {
        const req = request(new URL(ApiPaths.chatStream, api.url), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
        });
        req.on('error', reject);
        req.on('response', (res) => {
          // Read nothing while the whole reply is generated, then read it all.
          res.pause();
          void mock
            .waitFor((s) => s.streamsCompleted === 1, 20_000)
            .then(() => {
              res.on('data', (chunk: Buffer) => parser.feed(new Uint8Array(chunk)));
              res.on('end', resolve);
              res.resume();
            }, reject);
        });
        req.end(JSON.stringify(hi));
      });
      const deltas = frames.filter(({ frame }) => frame.type === 'text-delta');
      const text = deltas
        .map(({ frame }) => (frame.type === 'text-delta' ? frame.delta : ''))
        .join('');
      expect(text).toBe(reply);
      expect(deltas.length).toBeLessThan(chunks);
      const ids = frames.map(({ id }) => Number(id));
      expect(ids.every((id, i) => i === 0 || id > ids[i - 1])).toBe(true);
      expect(frames.at(-1)?.frame).toMatchObject({ type: 'finish', finishReason: 'stop' });
    });
  });
});
