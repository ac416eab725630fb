import { waitForLog } from '@tokenstream/e2e-support';
import { STREAM_ID_HEADER, isTerminalFrame } from '@tokenstream/stream-contracts';
import { useApiUnderTest } from './support/api-under-test';
import { chat, leaveAfter } from './support/stream-client';

const REPLY = 'Streaming works: naïve café, 日本語, and a 🙂 — split into pieces across the wire.';
const HEARTBEAT_MS = 300;

describe('POST /api/chat/stream with the openai provider', () => {
  const app = useApiUnderTest({
    upstream: { reply: REPLY, chunks: 12, chunkDelayMs: 40 },
    env: {
      CHAT_MODELS: 'gpt-4o-mini,gpt-4o',
      STREAM_HEARTBEAT_MS: String(HEARTBEAT_MS),
      // No grace period here: a client that leaves has the upstream aborted at once.
      STREAM_RESUME_GRACE_MS: '0',
    },
  });

  it('streams the upstream text token by token, over time, in order', async () => {
    const transcript = await chat(app.url, { messages: [{ role: 'user', content: 'Hi' }] });
    const { frames } = transcript;
    expect(transcript.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(transcript.text()).toBe(REPLY);
    expect(frames[0].frame).toEqual({
      type: 'start',
      streamId: transcript.response.headers.get(STREAM_ID_HEADER),
      model: 'gpt-4o-mini',
    });
    const deltas = frames.filter(({ frame }) => frame.type === 'text-delta');
    expect(deltas.length).toBe(12);
    // Paced at 40 ms per chunk upstream: a reply buffered to the end would arrive all at once.
    expect(deltas.at(-1)!.at - deltas[0].at).toBeGreaterThan(200);
    const ids = frames.map(({ id }) => Number(id));
    expect(ids).toEqual(ids.map((_, index) => index + 1));
  });

  it('ends with finish carrying the reason and the upstream usage', async () => {
    app.upstream.configure({ finishReason: 'length' });
    const { frames } = await chat(app.url, { messages: [{ role: 'user', content: 'Hi' }] });
    const last = frames.at(-1)!.frame;
    expect(last).toEqual({
      type: 'finish',
      finishReason: 'length',
      usage: {
        promptTokens: expect.any(Number),
        completionTokens: expect.any(Number),
        totalTokens: expect.any(Number),
      },
    });
    expect(frames.filter(({ frame }) => isTerminalFrame(frame))).toHaveLength(1);
  });

  it('sends the conversation and the parameters to the upstream', async () => {
    await chat(app.url, {
      model: 'gpt-4o',
      temperature: 0.3,
      maxTokens: 50,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: 'Again' },
      ],
    });
    const { lastRequest } = app.upstream.stats();
    expect(lastRequest?.body).toMatchObject({
      model: 'gpt-4o',
      temperature: 0.3,
      max_tokens: 50,
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: 'Again' },
      ],
    });
    expect(lastRequest?.authorization).toBe('Bearer sk-test');
  });

  it('sends a keep-alive at once and while the first token is slow', async () => {
    app.upstream.configure({ firstTokenDelayMs: HEARTBEAT_MS * 4 });
    const transcript = await chat(app.url, { messages: [{ role: 'user', content: 'Hi' }] });
    const firstDelta = transcript.frames.find(({ frame }) => frame.type === 'text-delta')!;
    const before = transcript.comments.filter((comment) => comment.at < firstDelta.at);
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(before.every((comment) => comment.text === 'keep-alive')).toBe(true);
    expect(transcript.text()).toBe(REPLY);
  });

  it('aborts the upstream request when the client disconnects', async () => {
    app.upstream.configure({ chunkDelayMs: 200 });
    await leaveAfter(app.url, { messages: [{ role: 'user', content: 'Hi' }] }, 3);
    const stats = await app.upstream.waitFor((s) => s.streamsAborted === 1, 3_000);
    expect(stats.streamsCompleted).toBe(0);
    await waitForLog(app.api, (line) => line.msg === 'stream ended' && line['clientGone'] === true);
  });

  it('logs one summary line per stream', async () => {
    const transcript = await chat(app.url, { messages: [{ role: 'user', content: 'Hi' }] });
    const streamId = transcript.response.headers.get(STREAM_ID_HEADER);
    const line = await waitForLog(app.api, (l) => l['streamId'] === streamId);
    expect(line).toMatchObject({
      msg: 'stream ended',
      model: 'gpt-4o-mini',
      deltas: 12,
      chars: REPLY.length,
      finishReason: 'stop',
      clientGone: false,
      ttftMs: expect.any(Number),
      durationMs: expect.any(Number),
    });
  });

  it('keeps up with several streams at once', async () => {
    const transcripts = await Promise.all(
      [1, 2, 3, 4].map(() => chat(app.url, { messages: [{ role: 'user', content: 'Hi' }] })),
    );
    for (const transcript of transcripts) expect(transcript.text()).toBe(REPLY);
    const ids = new Set(transcripts.map((t) => t.response.headers.get(STREAM_ID_HEADER)));
    expect(ids.size).toBe(4);
  });
});
