import { withApi } from '@tokenstream/e2e-support';
import type { ErrorFrame } from '@tokenstream/stream-contracts';
import { useApiUnderTest } from './support/api-under-test';
import { chat } from './support/stream-client';

const REPLY = 'one two three four five six seven eight';
const request = { messages: [{ role: 'user', content: 'Hi' }] };

describe('upstream failures become typed error frames', () => {
  const app = useApiUnderTest({
    upstream: { reply: REPLY, chunks: 8, chunkDelayMs: 5 },
    // Failures still go through the api's retries (they fail every time), just with short waits.
    env: { UPSTREAM_RETRY_BASE_MS: '10' },
  });
  // After each failure the api must still be alive and serving complete replies.
  afterEach(async () => {
    app.resetUpstreams();
    expect((await chat(app.url, request)).text()).toBe(REPLY);
  });

  async function lastFrame(): Promise<ErrorFrame> {
    const { frames } = await chat(app.url, request);
    expect(frames[0].frame.type).toBe('start');
    const last = frames.at(-1)!.frame;
    if (last.type !== 'error')
      throw new Error(`expected an error frame, got ${JSON.stringify(last)}`);
    return last;
  }

  it.each([
    [401, 'upstream_auth_failed', false],
    [429, 'upstream_rate_limited', true],
    [500, 'upstream_error', true],
    [503, 'upstream_unavailable', true],
  ])('an upstream %i gives %s (retryable: %s)', async (status, code, retryable) => {
    app.upstream.configure({ fault: 'status', faultStatus: status });
    const frame = await lastFrame();
    expect(frame).toMatchObject({ code, retryable });
    // The upstream's own error body never reaches the user.
    expect(frame.message).not.toMatch(/mock|error body|type|\{/i);
  });

  it('a connection cut mid-reply gives upstream_unavailable after the text so far', async () => {
    app.upstream.configure({ fault: 'cut', cutAfterChunks: 3 });
    const { frames } = await chat(app.url, request);
    const deltas = frames.filter(({ frame }) => frame.type === 'text-delta');
    expect(deltas).toHaveLength(3);
    expect(frames.at(-1)!.frame).toMatchObject({
      type: 'error',
      code: 'upstream_unavailable',
      retryable: true,
    });
  });

  it('a malformed chunk gives upstream_error without echoing the bad payload', async () => {
    app.upstream.configure({ fault: 'malformed', cutAfterChunks: 2 });
    const frame = await lastFrame();
    expect(frame.code).toBe('upstream_error');
    expect(frame.message).not.toContain('not json');
  });

  it('an unreachable upstream gives upstream_unavailable', async () => {
    await withApi(
      {
        OPENAI_API_KEY: 'sk-test',
        OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      },
      async (unreachable) => {
        const { frames } = await chat(unreachable.url, request);
        expect(frames.at(-1)!.frame).toMatchObject({ type: 'error', code: 'upstream_unavailable' });
      },
    );
  });
});
