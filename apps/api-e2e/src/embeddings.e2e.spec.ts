import { waitForLog, writeKeysFile, writeModelsFile } from '@tokenstream/e2e-support';
import { mockEmbedding, type MockOpenAi } from '@tokenstream/mock-openai';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import OpenAI from 'openai';
import { useApiUnderTest } from './support/api-under-test';

const KEYS = { search: 'tsk_search_0123456789abcdef', tight: 'tsk_tight_0123456789abcdef' };

/** A models file of `models` (YAML, indented as entries of `models:`) and the chat model it needs. */
function withChatModel(mock: MockOpenAi, models: string): string {
  return writeModelsFile(`
models:
  gpt-4o-mini:
    deployments: [{ name: chat, kind: openai, baseUrl: "${mock.url}" }]
${models}`);
}

describe('POST /v1/embeddings', () => {
  const app = useApiUnderTest({
    upstreams: { mock: {} },
    env: ({ mock }) => ({
      AUTH_MODE: 'apikey',
      API_KEYS_FILE: writeKeysFile([
        { name: 'search', key: KEYS.search },
        { name: 'tight', key: KEYS.tight, limits: { tokensPerDay: 10 } },
      ]),
      MODELS_FILE: withChatModel(
        mock,
        `
  text-embedding-3-small:
    type: embeddings
    deployments:
      - name: azure-embeddings
        kind: azure-openai
        endpoint: "${mock.origin}"
        deployment: embed-prod
        apiVersion: 2024-10-21
        apiKeyEnv: AZURE_KEY
`,
      ),
      AZURE_KEY: 'azure-secret',
    }),
  });
  let search: OpenAI;

  beforeAll(() => {
    search = new OpenAI({ apiKey: KEYS.search, baseURL: `${app.url}/v1`, maxRetries: 0 });
  });

  it('answers the SDK with the upstream’s vectors, passing its parameters through', async () => {
    const { data, response } = await search.embeddings
      .create({ model: 'text-embedding-3-small', input: ['naïve café', '日本語'], dimensions: 16 })
      .withResponse();
    expect(data.data.map((item) => item.embedding)).toEqual([
      mockEmbedding('naïve café', 16),
      mockEmbedding('日本語', 16),
    ]);
    expect(data.usage).toEqual({ prompt_tokens: 4, total_tokens: 4 });
    expect(response.headers.get('x-tokenstream-deployment')).toBe('azure-embeddings');
    // Sent to the Azure deployment as Azure expects, with the caller's own parameters.
    expect(app.upstreams.mock.stats().lastRequest).toMatchObject({
      path: '/openai/deployments/embed-prod/embeddings?api-version=2024-10-21',
      apiKey: 'azure-secret',
      body: {
        model: 'embed-prod',
        input: ['naïve café', '日本語'],
        dimensions: 16,
        encoding_format: 'base64',
      },
    });
    // The log line reaches the test through the process's stdout, maybe after the answer.
    const line = await waitForLog(app.api, (entry) => entry.msg === 'embeddings created');
    expect(line).toMatchObject({
      principal: 'apikey:search',
      model: 'text-embedding-3-small',
      deployment: 'azure-embeddings',
      usage: { promptTokens: 4, totalTokens: 4 },
    });
  });

  it('counts the tokens against the caller’s daily limit', async () => {
    const tight = new OpenAI({ apiKey: KEYS.tight, baseURL: `${app.url}/v1`, maxRetries: 0 });
    // 60 characters: 15 tokens, past the key's 10 a day; the request that crosses it is answered.
    await tight.embeddings.create({ model: 'text-embedding-3-small', input: 'x'.repeat(60) });
    const error = await tight.embeddings
      .create({ model: 'text-embedding-3-small', input: 'again' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(app.upstreams.mock.stats().requests).toBe(1);
    // Another key is not affected.
    await expect(
      search.embeddings.create({ model: 'text-embedding-3-small', input: 'ok' }),
    ).resolves.toBeDefined();
  });

  it('lists embeddings models beside chat models, and uses each only for its own kind', async () => {
    const listed = await search.models.list();
    expect(listed.data.map((model) => model.id)).toEqual(['gpt-4o-mini', 'text-embedding-3-small']);
    const me = (await (
      await fetch(`${app.url}/api/me`, { headers: { authorization: `Bearer ${KEYS.search}` } })
    ).json()) as { models: string[]; embeddingModels: string[] };
    expect(me).toMatchObject({
      models: ['gpt-4o-mini'],
      embeddingModels: ['text-embedding-3-small'],
    });
    const asChat = await search.embeddings
      .create({ model: 'gpt-4o-mini', input: 'x' })
      .catch((caught: unknown) => caught);
    expect(asChat).toMatchObject({
      status: 404,
      error: { code: 'model_not_found', param: 'model' },
    });
    const asEmbeddings = await search.chat.completions
      .create({ model: 'text-embedding-3-small', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((caught: unknown) => caught);
    expect(asEmbeddings).toMatchObject({ status: 404, error: { code: 'model_not_found' } });
    expect(app.upstreams.mock.stats().requests).toBe(0);
  });

  it('refuses a bad body with 400 naming the parameter, and passes the upstream’s own refusal through', async () => {
    const missing = await fetch(`${app.url}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEYS.search}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'text-embedding-3-small' }),
    });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({
      error: { param: 'input', type: 'invalid_request_error' },
    });
    // The upstream judges what it alone knows: 5,000 dimensions is more than it makes.
    const tooMany = await search.embeddings
      .create({ model: 'text-embedding-3-small', input: 'x', dimensions: 5_000 })
      .catch((caught: unknown) => caught);
    expect(tooMany).toBeInstanceOf(OpenAI.BadRequestError);
    expect(tooMany).toMatchObject({ status: 400, error: { param: 'dimensions' } });
  });
});

describe('POST /v1/embeddings past a deployment that never answers', () => {
  let stalled: Server;
  let port: number;
  const connections: Socket[] = [];

  beforeAll(async () => {
    // Accepts the connection and reads the request, then says nothing, ever.
    stalled = createServer((socket) => {
      connections.push(socket);
      socket.on('error', () => undefined); // a reset from the api's side is a close too
      socket.resume();
    });
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    port = (stalled.address() as AddressInfo).port;
  });
  afterAll(async () => {
    connections.forEach((socket) => socket.destroy());
    await new Promise((resolve) => stalled?.close(resolve));
  });
  const app = useApiUnderTest({
    upstreams: { mock: {} },
    env: ({ mock }) => ({
      MODELS_FILE: withChatModel(
        mock,
        `
  text-embedding-3-small:
    type: embeddings
    deployments:
      - { name: stalled, kind: openai, baseUrl: "http://127.0.0.1:${port}/v1", weight: 1000, firstTokenTimeoutSeconds: 0.5 }
      - { name: healthy, kind: openai, baseUrl: "${mock.url}", weight: 1 }
  only-stalled:
    type: embeddings
    deployments:
      - { name: stalled-alone, kind: openai, baseUrl: "http://127.0.0.1:${port}/v1" }
`,
      ),
      UPSTREAM_FIRST_TOKEN_TIMEOUT_MS: '1500',
    }),
  });

  it('is answered by the next deployment once the first passes its own limit, and that one is left alone', async () => {
    const client = new OpenAI({ apiKey: 'unused', baseURL: `${app.url}/v1`, maxRetries: 0 });
    const started = Date.now();
    const { data, response } = await client.embeddings
      .create({ model: 'text-embedding-3-small', input: 'hello', dimensions: 8 })
      .withResponse();

    expect(data.data[0].embedding).toEqual(mockEmbedding('hello', 8));
    expect(response.headers.get('x-tokenstream-deployment')).toBe('healthy');
    expect(Date.now() - started).toBeLessThan(5_000);
    // The stalled request was given up, its connection closed, not left open.
    expect(connections).toHaveLength(1);
    await waitForLog(app.api, (line) => line['deployment'] === 'stalled');
    const [given] = connections;
    if (!given.destroyed) await once(given, 'close'); // the api's side closes it, bounded by the test
    expect(given.destroyed).toBe(true);

    // Cooled down: the next call goes straight to the healthy one, however the weights lean.
    const again = await client.embeddings
      .create({ model: 'text-embedding-3-small', input: 'again' })
      .withResponse();
    expect(again.response.headers.get('x-tokenstream-deployment')).toBe('healthy');
    expect(connections).toHaveLength(1);
  });

  it('ends with 504 upstream_timeout when nothing answers within the request’s own limit', async () => {
    const client = new OpenAI({ apiKey: 'unused', baseURL: `${app.url}/v1`, maxRetries: 0 });
    const started = Date.now();
    const failure = await client.embeddings
      .create({ model: 'only-stalled', input: 'hello' })
      .catch((caught: unknown) => caught);

    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect(failure).toMatchObject({ status: 504, error: { code: 'upstream_timeout' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
