import { cuttingFetch, seededRandom, startApi, type ApiProcess } from '@tokenstream/e2e-support';
import { startMockOpenAi, type MockOpenAi } from '@tokenstream/mock-openai';
import { resumeChat, stopStream, streamChat } from '@tokenstream/stream-client';

const REPLY = Array.from({ length: 30 }, (_, i) => `mot${i} ça 日本 🙂 `).join('');

describe('the typed client (@tokenstream/stream-client) against the api', () => {
  let mock: MockOpenAi;
  let api: ApiProcess;
  beforeAll(async () => {
    mock = await startMockOpenAi({ reply: REPLY, chunks: 40, chunkDelayMs: 10 });
    api = await startApi({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: mock.url });
  });
  afterAll(async () => {
    await api?.stop();
    await mock?.close();
  });
  beforeEach(() => mock.reset());

  it('streams a reply and gives its final text', async () => {
    const result = await streamChat(
      { messages: [{ role: 'user', content: 'Hi' }] },
      { baseUrl: api.url },
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
          baseUrl: api.url,
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
      expect(mock.stats().requests).toBe(1);
    },
  );

  it('picks a stream up with resumeChat after the reader left it', async () => {
    const before = streamChat(
      { messages: [{ role: 'user', content: 'Hi' }] },
      { baseUrl: api.url },
    );
    let streamId: string | undefined;
    let lastEventId: string | undefined;
    let textBefore = '';
    let frames = 0;
    for await (const { id, frame } of before) {
      if (frame.type === 'start') streamId = frame.streamId;
      if (frame.type === 'text-delta') textBefore += frame.delta;
      lastEventId = id;
      if (++frames === 5) break;
    }
    if (streamId === undefined) throw new Error('no start frame before leaving');
    expect(textBefore).not.toBe('');
    const after = await resumeChat({ streamId, lastEventId }, { baseUrl: api.url }).final();
    expect(after.text).not.toBe('');
    expect(textBefore + after.text).toBe(REPLY);
    expect(after).toMatchObject({ streamId, finish: { finishReason: 'stop' } });
    expect(mock.stats().requests).toBe(1);
  });

  it('stops a stream with stopStream: its reader gets finish cancelled', async () => {
    mock.configure({ chunkDelayMs: 50 });
    const stream = streamChat(
      { messages: [{ role: 'user', content: 'Hi' }] },
      { baseUrl: api.url },
    );
    let streamId: string | undefined;
    let stopped: Promise<unknown> | undefined;
    for await (const event of stream.events()) {
      if (event.kind === 'connected') streamId = event.streamId;
      if (event.kind === 'frame' && event.frame.type === 'text-delta') {
        if (streamId === undefined) throw new Error('connected without a stream id');
        stopped ??= stopStream(streamId, { baseUrl: api.url }).then(
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
