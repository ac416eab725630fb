import { type StreamTranscript } from '@tokenstream/e2e-support';
import { splitIntoChunks } from '@tokenstream/mock-openai';
import { useApiUnderTest } from './support/api-under-test';
import { chat } from './support/stream-client';

const REPLY = 'one two three four five six seven eight';
const CHUNKS = 8;
const request = { messages: [{ role: 'user', content: 'Hi' }] };

/** The frame types in order, a run of text deltas counted as one (a slow reader may get them merged). */
function frameTypes(transcript: StreamTranscript): string[] {
  const types = transcript.frames.map(({ frame }) => frame.type);
  return types.filter((type, index) => type !== 'text-delta' || types[index - 1] !== 'text-delta');
}

describe('upstream retries and time limits', () => {
  const app = useApiUnderTest({
    upstream: { reply: REPLY, chunks: CHUNKS, chunkDelayMs: 5 },
    env: {
      // Short enough to test in seconds, long enough for a loaded machine's first request.
      UPSTREAM_FIRST_TOKEN_TIMEOUT_MS: '1000',
      UPSTREAM_RETRY_BASE_MS: '50',
    },
  });

  it('delivers a reply whose first request got a 429 complete, with one start and no repeated text', async () => {
    app.upstream.configure({
      fault: 'status',
      faultStatus: 429,
      faultCount: 1,
      faultRetryAfterSeconds: 0,
    });
    const transcript = await chat(app.url, request);
    expect(frameTypes(transcript)).toEqual(['start', 'text-delta', 'finish']);
    // The whole reply once: a retry that repeated text would show here.
    expect(transcript.text()).toBe(REPLY);
    expect(transcript.frames.at(-1)?.frame).toMatchObject({ type: 'finish', finishReason: 'stop' });
    expect(app.upstream.stats().requests).toBe(2);
    // The retry is logged with its status, and without the upstream's error body.
    const retries = app.api.logs.filter((line) => /retry 1 of 2/.test(line.msg ?? ''));
    expect(retries).toEqual([expect.objectContaining({ upstreamStatus: 429, delayMs: 0 })]);
    expect(JSON.stringify(app.api.logs)).not.toContain('Rate limit reached');
  });

  it('ends a reply whose first token is too slow with a retryable upstream_timeout and aborts the upstream', async () => {
    app.upstream.configure({ firstTokenDelayMs: 10_000 });
    const transcript = await chat(app.url, request);
    expect(frameTypes(transcript)).toEqual(['start', 'error']);
    expect(transcript.frames.at(-1)?.frame).toEqual({
      type: 'error',
      code: 'upstream_timeout',
      message: 'The model took too long to start answering. Please try again.',
      retryable: true,
    });
    await app.upstream.waitFor((stats) => stats.streamsAborted === 1, 3000);
    expect(app.upstream.stats().requests).toBe(1);
  });

  it('does not retry a reply cut after text, so no text is repeated', async () => {
    // faultCount 1: a retry would succeed and send the whole reply after the first 3 chunks.
    app.upstream.configure({ fault: 'cut', cutAfterChunks: 3, faultCount: 1 });
    const transcript = await chat(app.url, request);
    expect(frameTypes(transcript)).toEqual(['start', 'text-delta', 'error']);
    expect(transcript.text()).toBe(splitIntoChunks(REPLY, CHUNKS).slice(0, 3).join(''));
    expect(transcript.frames.at(-1)?.frame).toMatchObject({
      code: 'upstream_unavailable',
      retryable: true,
    });
    expect(app.upstream.stats().requests).toBe(1);
  });
});
