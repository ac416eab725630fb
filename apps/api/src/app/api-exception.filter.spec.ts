import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Server } from 'node:http';
import request from 'supertest';
import { AppModule } from '../app.module';
import { loadAppConfig } from '../config/app-config';
import { useApiPrefix } from './api-prefix';
import { useJsonBodyParser } from '../common/json-body-parser';

const hi = { model: 'demo', messages: [{ role: 'user', content: 'Hi' }] };
const overOneMegabyte = JSON.stringify({
  ...hi,
  messages: [{ role: 'user', content: 'x'.repeat(1_100_000) }],
});

/** OpenAI's error body of a `4xx` refusal, with this `code`. */
const openAiError = (code: string | null) => ({
  error: { message: expect.any(String), type: 'invalid_request_error', param: null, code },
});

describe('ApiExceptionFilter answers each path in its own error shape', () => {
  let app: INestApplication;
  let server: Server;

  beforeAll(async () => {
    const config = loadAppConfig({ LOG_LEVEL: 'silent', DEMO_TOKEN_DELAY_MS: '0' });
    const nest = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
      logger: false,
      bodyParser: false,
    });
    useJsonBodyParser(nest);
    useApiPrefix(nest);
    app = await nest.init();
    server = app.getHttpServer() as Server;
  });
  afterAll(() => app?.close());

  const post = (path: string, body: string, contentType = 'application/json') =>
    request(server).post(path).set('content-type', contentType).send(body);

  it('answers a body that is not JSON with 400 invalid_json under /v1, naming the problem', async () => {
    const response = await post('/v1/chat/completions', '{"model":');
    expect(response.status).toBe(400);
    expect(response.body).toEqual(openAiError('invalid_json'));
    expect(response.body.error.message).toMatch(/^The request body is not valid JSON: .+/);
  });

  it('answers a body that is not JSON with 400 invalid_request on the native routes', async () => {
    const response = await post('/api/chat/stream', '{"messages":');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ statusCode: 400, code: 'invalid_request' });
    expect(response.body.message).toMatch(/^The request body is not valid JSON: .+/);
  });

  it('answers a body over 1 MB with 413 request_too_large under /v1', async () => {
    const response = await post('/v1/chat/completions', overOneMegabyte);
    expect(response.status).toBe(413);
    expect(response.body).toEqual(openAiError('request_too_large'));
  });

  it('answers a body over 1 MB with 413 http_error on the native routes', async () => {
    const response = await post('/api/chat/stream', overOneMegabyte);
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ statusCode: 413, code: 'http_error' });
  });

  it('answers a charset the parser cannot read with 415 under /v1', async () => {
    const response = await post('/v1/chat/completions', '{}', 'application/json; charset=latin7');
    expect(response.status).toBe(415);
    expect(response.body).toEqual(openAiError('unsupported_body_encoding'));
  });

  it('answers a body that is not sent as JSON with a 400 under /v1 that says how to send it', async () => {
    const response = await post('/v1/chat/completions', JSON.stringify(hi), 'text/plain');
    expect(response.status).toBe(400);
    expect(response.body).toEqual(openAiError('invalid_type'));
    expect(response.body.error.message).toContain('Content-Type: application/json');
  });

  it.each(['/v1/nope', '/V1/models/nope', '/v1'])(
    'answers GET %s, which no route serves, with a 404 in OpenAI’s shape',
    async (path) => {
      const response = await request(server).get(path);
      expect(response.status).toBe(404);
      expect(response.body).toEqual(openAiError(null));
    },
  );

  it('answers an unknown native path with a 404 ApiErrorBody', async () => {
    const response = await request(server).get('/api/nope');
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ statusCode: 404, code: 'http_error' });
  });

  it('answers an unknown model with 404 model_not_found under /v1, 400 unknown_model natively', async () => {
    const openAi = await post('/v1/chat/completions', JSON.stringify({ ...hi, model: 'gpt-9' }));
    expect(openAi.status).toBe(404);
    expect(openAi.body).toMatchObject({ error: { code: 'model_not_found', param: 'model' } });
    const native = await post('/api/chat/stream', JSON.stringify({ ...hi, model: 'gpt-9' }));
    expect(native.status).toBe(400);
    expect(native.body).toMatchObject({ code: 'unknown_model' });
  });
});
