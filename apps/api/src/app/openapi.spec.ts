import type { OpenAPIObject } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { buildOpenApiDocument, OPENAPI_FILE } from '../openapi-document';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every route the app serves, as `METHOD /path` in OpenAPI's path syntax. */
const EXPECTED_ROUTES = [
  'POST /api/chat/stream',
  'GET /api/streams/{streamId}/events',
  'DELETE /api/streams/{streamId}',
  'GET /api/models',
  'GET /api/health',
  'GET /api/health/live',
  'GET /api/health/ready',
  'GET /api/me',
  'GET /api/client-config',
  'GET /api/conversations',
  'GET /api/conversations/{id}',
  'PATCH /api/conversations/{id}',
  'DELETE /api/conversations/{id}',
  'POST /api/admin/keys',
  'GET /api/admin/keys',
  'DELETE /api/admin/keys/{id}',
  'GET /api/admin/usage',
  'GET /api/admin/budgets',
  'PUT /api/admin/budgets/{kind}/{id}',
  'DELETE /api/admin/budgets/{kind}/{id}',
  'GET /api/admin/audit',
  'GET /api/me/usage',
  'POST /v1/chat/completions',
  'POST /v1/embeddings',
  'GET /v1/models',
];

function routesOf(document: OpenAPIObject): string[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((key) => HTTP_METHODS.includes(key))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** Every `$ref` anywhere in `value`. */
function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string' ? [inner] : refsIn(inner),
  );
}

/** Follows a local JSON pointer (`#/components/schemas/X`) through `document`. */
function resolve(document: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>(
      (node, part) =>
        typeof node === 'object' && node !== null
          ? (node as Record<string, unknown>)[part]
          : undefined,
      document,
    );
}

describe('the OpenAPI document', () => {
  let document: OpenAPIObject;
  beforeAll(async () => {
    document = await buildOpenApiDocument();
  });

  it('matches the committed apps/api/openapi.json', () => {
    const committed: unknown = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));
    // Round-trip through JSON so `undefined` fields compare as the file stores them.
    const built: unknown = JSON.parse(JSON.stringify(document));
    try {
      expect(built).toEqual(committed);
    } catch (error) {
      throw new Error(
        `apps/api/openapi.json is out of date: run \`npx nx run api:openapi\` to update.\n${String(error)}`,
      );
    }
  });

  it('describes every route of the app, and no other', () => {
    expect(routesOf(document).sort()).toEqual([...EXPECTED_ROUTES].sort());
  });

  it('is a structurally valid OpenAPI 3 document', () => {
    expect(document.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(document.info.title).toEqual(expect.any(String));
    expect(document.info.version).toEqual(expect.any(String));
    for (const [path, item] of Object.entries(document.paths)) {
      expect(path).toMatch(/^\//);
      const operations = Object.entries(item).filter(([key]) => HTTP_METHODS.includes(key));
      expect(operations.length).toBeGreaterThan(0);
      for (const [, operation] of operations) {
        expect(Object.keys(operation.responses ?? {}).length).toBeGreaterThan(0);
      }
    }
  });

  it('resolves every $ref it holds', () => {
    const refs = refsIn(document);
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.filter((ref) => resolve(document, ref) === undefined)).toEqual([]);
  });

  it('answers every stream as text/event-stream of StreamFrame, discriminated by type', () => {
    const frames = document.components?.schemas?.['StreamFrame'];
    expect(frames).toMatchObject({ discriminator: { propertyName: 'type' } });
    for (const [method, path] of [
      ['post', '/api/chat/stream'],
      ['get', '/api/streams/{streamId}/events'],
    ] as const) {
      const ok = document.paths[path][method]?.responses['200'];
      expect(ok).toMatchObject({
        content: { 'text/event-stream': { schema: { $ref: '#/components/schemas/StreamFrame' } } },
      });
    }
  });

  it('derives the request body from the protocol schema', () => {
    const request = document.components?.schemas?.['ChatRequest'];
    expect(request).toMatchObject({
      type: 'object',
      required: ['messages'],
      additionalProperties: false,
      properties: {
        messages: { type: 'array', maxItems: 200 },
        conversation: { type: 'object' },
      },
    });
    expect(document.paths['/api/chat/stream'].post?.requestBody).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ChatRequest' } } },
    });
  });

  describe('the OpenAI-compatible routes', () => {
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
    const operation = (method: 'get' | 'post', path: string) => document.paths[path][method];

    it('holds their request, answer, chunk, list and error schemas as components', () => {
      const schemas = document.components?.schemas ?? {};
      for (const name of [
        'ChatCompletionRequest',
        'ChatCompletion',
        'ChatCompletionChunk',
        'OpenAiUsage',
        'OpenAiModelList',
        'OpenAiModel',
        'OpenAiErrorBody',
      ]) {
        expect(schemas[name]).toMatchObject({ type: 'object', properties: expect.any(Object) });
      }
      expect(schemas['ChatCompletion']).toMatchObject({
        required: expect.arrayContaining(['usage']),
        properties: { usage: ref('OpenAiUsage'), object: { enum: ['chat.completion'] } },
      });
      expect(schemas['ChatCompletionChunk']).toMatchObject({
        properties: { object: { enum: ['chat.completion.chunk'] } },
      });
    });

    it('describes the body of POST /v1/chat/completions as ChatCompletionRequest', () => {
      expect(operation('post', '/v1/chat/completions')?.requestBody).toMatchObject({
        content: { 'application/json': { schema: ref('ChatCompletionRequest') } },
      });
      expect(document.components?.schemas?.['ChatCompletionRequest']).toMatchObject({
        required: ['model', 'messages'],
        // Open: every parameter it does not check passes through to the upstream.
        additionalProperties: {},
        properties: {
          messages: { type: 'array', minItems: 1, maxItems: 200 },
          temperature: { minimum: 0, maximum: 2 },
          stream_options: { properties: { include_usage: { type: 'boolean' } } },
        },
      });
    });

    it('answers a ChatCompletion as JSON, or ChatCompletionChunk events ending in [DONE]', () => {
      const ok = operation('post', '/v1/chat/completions')?.responses['200'];
      expect(ok).toMatchObject({
        description: expect.stringContaining('[DONE]'),
        content: {
          'application/json': { schema: ref('ChatCompletion') },
          'text/event-stream': { schema: ref('ChatCompletionChunk') },
        },
      });
      expect((ok as { description: string }).description).toContain('ChatCompletionChunk');
    });

    it('describes POST /v1/embeddings: its body from the zod schema, the answer as the upstream’s', () => {
      const embeddings = operation('post', '/v1/embeddings');
      expect(embeddings?.requestBody).toMatchObject({
        content: { 'application/json': { schema: ref('EmbeddingsRequest') } },
      });
      expect(embeddings?.responses['200']).toMatchObject({
        content: { 'application/json': { schema: ref('EmbeddingsResponse') } },
      });
      expect(document.components?.schemas?.['EmbeddingsRequest']).toMatchObject({
        required: ['model', 'input'],
        additionalProperties: {},
      });
    });

    it('answers GET /v1/models as an OpenAiModelList', () => {
      expect(operation('get', '/v1/models')?.responses['200']).toMatchObject({
        content: { 'application/json': { schema: ref('OpenAiModelList') } },
      });
    });

    it.each([
      ['post', '/v1/chat/completions', ['400', '401', '403', '404', '413', '429', '503']],
      ['get', '/v1/models', ['401']],
    ] as const)('answers every error of %s %s as an OpenAiErrorBody', (method, path, statuses) => {
      const responses = operation(method, path)?.responses ?? {};
      for (const status of statuses) {
        expect(responses[status]).toMatchObject({
          content: { 'application/json': { schema: ref('OpenAiErrorBody') } },
        });
      }
      const errors = Object.keys(responses).filter((status) => Number(status) >= 400);
      expect(refsIn(errors.map((status) => responses[status]))).toEqual(
        errors.map(() => ref('OpenAiErrorBody').$ref),
      );
    });

    it("keeps the native error body off the /v1 routes and OpenAI's off the native ones", () => {
      for (const [path, item] of Object.entries(document.paths)) {
        const foreign = path.startsWith('/v1/') ? 'ApiErrorBody' : 'OpenAiErrorBody';
        expect(refsIn(item)).not.toContain(ref(foreign).$ref);
      }
    });
  });
});
