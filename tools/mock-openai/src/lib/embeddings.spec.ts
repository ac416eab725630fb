import { APIConnectionError, AzureOpenAI, BadRequestError, OpenAI, RateLimitError } from 'openai';
import { mockEmbedding } from './embedding-vector';
import { DEFAULT_EMBEDDING_DIMENSIONS } from './embeddings-request';
import { startMockOpenAi, type MockOpenAi } from './mock-openai-server';

const READ_TIMEOUT_MS = 3000;
const MODEL = 'text-embedding-3-small';

/** What the mock's usage formula gives for texts: ceil(length / 4) each, at least 1, summed. */
function expectedTokens(texts: readonly string[]): number {
  return texts.reduce((sum, text) => sum + Math.max(1, Math.ceil(text.length / 4)), 0);
}

/** Decodes the wire's base64 embedding by hand: little-endian float32s. */
function decodeFloat32LE(base64: string): number[] {
  const bytes = Buffer.from(base64, 'base64');
  const vector: number[] = [];
  for (let offset = 0; offset < bytes.length; offset += 4) vector.push(bytes.readFloatLE(offset));
  return vector;
}

describe('embeddings', () => {
  let mock: MockOpenAi;
  let client: OpenAI;

  const azureClient = (): AzureOpenAI =>
    new AzureOpenAI({
      endpoint: mock.origin,
      apiKey: 'azure-key',
      apiVersion: '2024-10-21',
      deployment: 'embed-eu',
      maxRetries: 0,
    });

  const postEmbeddings = (body: unknown): Promise<Response> =>
    fetch(`${mock.url}/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(READ_TIMEOUT_MS),
    });

  beforeEach(async () => {
    mock = await startMockOpenAi({ port: 0 });
    client = new OpenAI({ apiKey: 'sk-test', baseURL: mock.url, maxRetries: 0 });
  });

  afterEach(async () => {
    await mock.close();
  });

  describe('with the openai SDK', () => {
    it('returns vectors of the requested dimensions, equal for equal inputs, with the usage of the formula', async () => {
      const input = ['alpha', 'alpha', 'a longer text, 日本語 🙂'];

      const response = await client.embeddings.create({ model: MODEL, input, dimensions: 16 });

      expect(response.object).toBe('list');
      expect(response.model).toBe(MODEL);
      expect(response.data.map((entry) => [entry.object, entry.index])).toEqual([
        ['embedding', 0],
        ['embedding', 1],
        ['embedding', 2],
      ]);
      const [first, same, other] = response.data.map((entry) => entry.embedding);
      expect(first).toHaveLength(16);
      expect(first.every((component) => typeof component === 'number')).toBe(true);
      expect(same).toEqual(first);
      expect(other).toHaveLength(16);
      expect(other).not.toEqual(first);
      expect(first).toEqual(mockEmbedding('alpha', 16));
      expect(response.usage).toEqual({
        prompt_tokens: expectedTokens(input),
        total_tokens: expectedTokens(input),
      });
      expect(expectedTokens(input)).toBe(2 + 2 + 6);
    });

    it('answers base64, as the SDK asks by default, which it decodes into the same numbers', async () => {
      const response = await client.embeddings.create({ model: MODEL, input: 'hello' });

      const request = mock.stats().lastRequest;
      expect(request?.path).toBe('/v1/embeddings');
      expect(request?.body.encoding_format).toBe('base64');
      expect(request?.body.input).toBe('hello');
      expect(response.data).toHaveLength(1);
      expect(response.data[0].embedding).toHaveLength(DEFAULT_EMBEDDING_DIMENSIONS);
      expect(response.data[0].embedding).toEqual(mockEmbedding('hello'));
      expect(response.usage.prompt_tokens).toBe(2);
    });

    it('returns the float arrays as they are when the caller asks for floats', async () => {
      const response = await client.embeddings.create({
        model: MODEL,
        input: 'hello',
        encoding_format: 'float',
      });

      expect(mock.stats().lastRequest?.body.encoding_format).toBe('float');
      expect(response.data[0].embedding).toEqual(mockEmbedding('hello'));
    });

    it('embeds token lists: one vector per list, usage counting the tokens', async () => {
      const lists = await client.embeddings.create({ model: MODEL, input: [[1, 2, 3], [4]] });
      const single = await client.embeddings.create({ model: MODEL, input: [1, 2, 3] });

      expect(lists.data.map((entry) => entry.embedding)).toEqual([
        mockEmbedding([1, 2, 3]),
        mockEmbedding([4]),
      ]);
      expect(lists.usage.prompt_tokens).toBe(4);
      expect(single.data.map((entry) => entry.embedding)).toEqual([mockEmbedding([1, 2, 3])]);
      expect(single.usage.prompt_tokens).toBe(3);
    });

    it('serves an AzureOpenAI client on its deployment path with the same vectors', async () => {
      const input = ['alpha', 'beta'];

      const azure = await azureClient().embeddings.create({ model: MODEL, input, dimensions: 4 });
      const openai = await client.embeddings.create({ model: MODEL, input, dimensions: 4 });

      expect(azure.data.map((entry) => entry.embedding.length)).toEqual([4, 4]);
      expect(azure.data[0].embedding).not.toEqual(azure.data[1].embedding);
      expect(azure.data).toEqual(openai.data);
      expect(azure.usage).toEqual({ prompt_tokens: 2 + 1, total_tokens: 2 + 1 });
      const { recentRequests } = mock.stats();
      expect(
        recentRequests.map(({ path, apiKey, authorization }) => ({ path, apiKey, authorization })),
      ).toEqual([
        {
          path: '/openai/deployments/embed-eu/embeddings?api-version=2024-10-21',
          apiKey: 'azure-key',
          authorization: undefined,
        },
        { path: '/v1/embeddings', apiKey: undefined, authorization: 'Bearer sk-test' },
      ]);
      expect(mock.stats().requests).toBe(2);
    });

    it('maps a 429 fault to RateLimitError with Retry-After, then answers normally', async () => {
      mock.configure({
        fault: 'status',
        faultStatus: 429,
        faultRetryAfterSeconds: 4,
        faultCount: 1,
      });

      const error: unknown = await client.embeddings
        .create({ model: MODEL, input: 'x' })
        .catch((caught: unknown) => caught);
      const response = await client.embeddings.create({ model: MODEL, input: 'x' });

      expect(error).toBeInstanceOf(RateLimitError);
      expect(error).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
      expect(error instanceof RateLimitError && error.headers.get('retry-after')).toBe('4');
      expect(response.data[0].embedding).toEqual(mockEmbedding('x'));
      expect(mock.stats()).toMatchObject({ requests: 2, faultsInjected: 1 });
    });

    it('cut drops the connection without an answer', async () => {
      mock.configure({ fault: 'cut', faultCount: 1 });

      await expect(client.embeddings.create({ model: MODEL, input: 'x' })).rejects.toBeInstanceOf(
        APIConnectionError,
      );
      expect(mock.stats()).toMatchObject({ requests: 1, faultsInjected: 1 });
    });

    it('raises BadRequestError naming the param for an invalid request', async () => {
      const error: unknown = await client.embeddings
        .create({ model: MODEL, input: '' })
        .catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(BadRequestError);
      expect(error).toMatchObject({ status: 400, param: 'input' });
    });
  });

  describe('on the wire', () => {
    it('answers plain float arrays for encoding_format float', async () => {
      const response = await postEmbeddings({
        model: MODEL,
        input: ['one', 'two'],
        encoding_format: 'float',
        dimensions: 3,
        user: 'user-1',
      });

      expect(response.status).toBe(200);
      expect(response.headers.get('x-request-id')).toMatch(/^req_/);
      expect(await response.json()).toEqual({
        object: 'list',
        data: [
          { object: 'embedding', index: 0, embedding: mockEmbedding('one', 3) },
          { object: 'embedding', index: 1, embedding: mockEmbedding('two', 3) },
        ],
        model: MODEL,
        usage: { prompt_tokens: 2, total_tokens: 2 },
      });
    });

    it('answers floats when no encoding_format is given, as OpenAI does', async () => {
      const response = await postEmbeddings({ model: MODEL, input: 'one' });

      const body = (await response.json()) as { data: { embedding: unknown }[] };
      expect(body.data[0].embedding).toEqual(mockEmbedding('one'));
    });

    it('answers little-endian float32 bytes in base64 for encoding_format base64', async () => {
      const response = await postEmbeddings({
        model: MODEL,
        input: 'one',
        encoding_format: 'base64',
      });

      const body = (await response.json()) as { data: { embedding: unknown }[] };
      const { embedding } = body.data[0];
      expect(typeof embedding).toBe('string');
      expect(decodeFloat32LE(String(embedding))).toEqual(mockEmbedding('one'));
    });

    it.each([
      ['a missing model', { input: 'x' }, 'model'],
      ['an empty model', { model: '', input: 'x' }, 'model'],
      ['a missing input', { model: MODEL }, 'input'],
      ['an empty input', { model: MODEL, input: '' }, 'input'],
      ['an empty input list', { model: MODEL, input: [] }, 'input'],
      ['an empty text in the list', { model: MODEL, input: ['a', ''] }, 'input'],
      ['texts mixed with tokens', { model: MODEL, input: ['a', 1] }, 'input'],
      ['a fractional token', { model: MODEL, input: [1.5] }, 'input'],
      ['an input of another type', { model: MODEL, input: { text: 'x' } }, 'input'],
      ['zero dimensions', { model: MODEL, input: 'x', dimensions: 0 }, 'dimensions'],
      ['fractional dimensions', { model: MODEL, input: 'x', dimensions: 2.5 }, 'dimensions'],
      [
        'an unknown encoding',
        { model: MODEL, input: 'x', encoding_format: 'f16' },
        'encoding_format',
      ],
      ['a user that is not a string', { model: MODEL, input: 'x', user: 7 }, 'user'],
    ])('answers 400 in OpenAI shape for %s', async (_, body, param) => {
      const response = await postEmbeddings(body);

      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: { message: expect.any(String), type: 'invalid_request_error', param, code: null },
      });
      // Counted and recorded like any request, and no fault budget used.
      expect(mock.stats()).toMatchObject({ requests: 1, faultsInjected: 0 });
      expect(mock.stats().lastRequest?.body).toEqual(body);
    });

    it('takes the model from the deployment on the Azure path when the body has none', async () => {
      const response = await fetch(
        `${mock.origin}/openai/deployments/embed-eu/embeddings?api-version=2024-10-21`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'api-key': 'azure-key' },
          body: JSON.stringify({ input: 'x', encoding_format: 'float' }),
          signal: AbortSignal.timeout(READ_TIMEOUT_MS),
        },
      );

      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ model: 'embed-eu' });
    });

    it('answers 401 without the required key, on either header', async () => {
      mock.configure({ requireApiKey: 'sk-right' });

      await expect(client.embeddings.create({ model: MODEL, input: 'x' })).rejects.toMatchObject({
        status: 401,
      });
      const azure = new AzureOpenAI({
        endpoint: mock.origin,
        apiKey: 'sk-right',
        apiVersion: '2024-10-21',
        maxRetries: 0,
      });
      await expect(azure.embeddings.create({ model: MODEL, input: 'x' })).resolves.toMatchObject({
        object: 'list',
      });
      expect(mock.stats().lastRequest?.path).toBe(
        `/openai/deployments/${MODEL}/embeddings?api-version=2024-10-21`,
      );
    });
  });
});

describe('mockEmbedding', () => {
  it('is a unit vector of float32 values, 8 long by default', () => {
    const vector = mockEmbedding('some text');

    expect(vector).toHaveLength(8);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 6);
    expect(vector.every((component) => Math.fround(component) === component)).toBe(true);
  });

  it('depends on the input only, and tells texts from token lists', () => {
    expect(mockEmbedding('a', 32)).toEqual(mockEmbedding('a', 32));
    expect(mockEmbedding('a', 32)).not.toEqual(mockEmbedding('b', 32));
    expect(mockEmbedding('1,2')).not.toEqual(mockEmbedding([1, 2]));
  });
});
