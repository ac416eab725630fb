import { startApi, type ApiProcess } from '@tokenstream/e2e-support';
import { startMockOpenAi, type MockOpenAi } from '@tokenstream/mock-openai';
import type { ErrorFrame } from '@tokenstream/stream-contracts';
import { chat } from './support/stream-client';

const REPLY = 'one two three four five six seven eight';
const request = { messages: [{ role: 'user', content: 'Hi' }] };

describe('upstream failures become typed error frames', () => {
  let mock: MockOpenAi;
  let api: ApiProcess;

  beforeAll(async () => {
    mock = await startMockOpenAi({ reply: REPLY, chunks: 8, chunkDelayMs: 5 });
    // Failures still go through the api's retries (they fail every time), just with short waits.
    api = await startApi({
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: mock.url,
      UPSTREAM_RETRY_BASE_MS: '10',
    });
  });
  afterAll(async () => {
    await api?.stop();
    await mock?.close();
  });
  beforeEach(() => mock.reset());
  // After each failure the api must still be alive and serving complete replies.
  afterEach(async () => {
    mock.reset();
    expect((await chat(api.url, request)).text()).toBe(REPLY);
  });

  async function lastFrame(): Promise<ErrorFrame> {
    const { frames } = await chat(api.url, request);
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
    mock.configure({ fault: 'status', faultStatus: status });
    const frame = await lastFrame();
    expect(frame).toMatchObject({ code, retryable });
    // The upstream's own error body never reaches the user.
    expect(frame.message).not.toMatch(/mock|error body|type|\{/i);
  });

  it('a connection cut mid-reply gives upstream_unavailable after the text so far', async () => {
    mock.configure({ fault: 'cut', cutAfterChunks: 3 });
    const { frames } = await chat(api.url, request);
    const deltas = frames.filter(({ frame }) => frame.type === 'text-delta');
    expect(deltas).toHaveLength(3);
    expect(frames.at(-1)!.frame).toMatchObject({
      type: 'error',
      code: 'upstream_unavailable',
      retryable: true,
    });
  });

  it('a malformed chunk gives upstream_error without echoing the bad payload', async () => {
    mock.configure({ fault: 'malformed', cutAfterChunks: 2 });
    const frame = await lastFrame();
    expect(frame.code).toBe('upstream_error');
    expect(frame.message).not.toContain('not json');
  });

  it('an unreachable upstream gives upstream_unavailable', async () => {
    const unreachable = await startApi({
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
    });
    try {
      const { frames } = await chat(unreachable.url, request);
      expect(frames.at(-1)!.frame).toMatchObject({ type: 'error', code: 'upstream_unavailable' });
    } finally {
      await unreachable.stop();
    }
  });
});
