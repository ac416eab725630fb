import { waitForLog, writeKeysFile } from '@tokenstream/e2e-support';
import OpenAI from 'openai';
import { useApiUnderTest } from './support/api-under-test';
import { openStream } from './support/stream-client';

const REPLY = 'Accounted for: every call through /v1 is a tokenstream stream.';
const KEYS = {
  // Two requests a minute, one stream at a time: small enough to reach in a test.
  batch: 'tsk_batch_0123456789abcdef',
  other: 'tsk_other_0123456789abcdef',
};
const hi: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hi' }];

/** The official SDK as a service configures it: only the base URL and the key are tokenstream's. */
function sdk(api: { url: string }, key: string): OpenAI {
  return new OpenAI({ apiKey: key, baseURL: `${api.url}/v1`, maxRetries: 0 });
}

async function streamedText(client: OpenAI): Promise<string> {
  const stream = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: hi,
    stream: true,
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  return text;
}

describe('an OpenAI SDK caller shows in tokenstream’s logs and limits', () => {
  const app = useApiUnderTest({
    upstream: { reply: REPLY, chunks: 6, chunkDelayMs: 20 },
    env: {
      AUTH_MODE: 'apikey',
      API_KEYS_FILE: writeKeysFile([
        { name: 'batch', key: KEYS.batch, limits: { requestsPerMinute: 2, concurrentStreams: 1 } },
        { name: 'other', key: KEYS.other },
      ]),
      CHAT_MODELS: 'gpt-4o-mini',
    },
  });

  it('logs the call as a stream of the key’s principal, with its request line under /v1', async () => {
    expect(await streamedText(sdk(app, KEYS.other))).toBe(REPLY);

    const summary = await waitForLog(
      app.api,
      (line) => line.msg === 'stream ended' && line['principal'] === 'apikey:other',
    );
    expect(summary).toMatchObject({ api: 'openai', model: 'gpt-4o-mini', chars: REPLY.length });
    const request = await waitForLog(
      app.api,
      (line) => (line['req'] as { id?: unknown } | undefined)?.id === summary['requestId'],
    );
    expect(request['req']).toMatchObject({ method: 'POST', url: '/v1/chat/completions' });
    expect(JSON.stringify(request)).not.toContain(KEYS.other);
  });

  it('counts /v1 calls against the key’s limits: the third in a minute gets 429, other keys do not', async () => {
    const batch = sdk(app, KEYS.batch);
    expect(await streamedText(batch)).toBe(REPLY);
    expect(await streamedText(batch)).toBe(REPLY);

    const refused = await streamedText(batch).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    const error = refused as InstanceType<typeof OpenAI.RateLimitError>;
    expect(error.status).toBe(429);
    expect(error.headers?.get('retry-after')).toMatch(/^\d+$/);
    expect(error.error).toMatchObject({ type: expect.any(String), message: expect.any(String) });
    // Refused before the upstream: the third call cost nothing.
    expect(app.upstream.stats().requests).toBe(2);

    expect(await streamedText(sdk(app, KEYS.other))).toBe(REPLY);
  });
});

describe('limits shared between the native routes and /v1', () => {
  const app = useApiUnderTest({
    upstream: { reply: REPLY, chunks: 20, chunkDelayMs: 100 },
    env: {
      AUTH_MODE: 'apikey',
      API_KEYS_FILE: writeKeysFile([
        { name: 'single', key: KEYS.batch, limits: { concurrentStreams: 1 } },
      ]),
      CHAT_MODELS: 'gpt-4o-mini',
      STREAM_RESUME_GRACE_MS: '0',
    },
  });

  it('a stream open on /api/chat/stream holds the key’s only slot against /v1', async () => {
    const leave = new AbortController();
    const native = await openStream(app.url, { messages: hi }, leave.signal, {
      authorization: `Bearer ${KEYS.batch}`,
    });
    expect(native.status).toBe(200);
    try {
      const refused = await streamedText(sdk(app, KEYS.batch)).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    } finally {
      leave.abort();
    }
  });
});
