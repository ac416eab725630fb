import { startApi, writeKeysFile, type ApiProcess } from '@tokenstream/e2e-support';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const COMMITTED = resolve(__dirname, '../../api/openapi.json');

function keysFile(): string {
  return writeKeysFile([{ name: 'docs', key: 'tsk_docs_0123456789abcdef' }]);
}

describe('the OpenAPI document (AUTH_MODE=apikey)', () => {
  let api: ApiProcess;
  beforeAll(async () => {
    api = await startApi({ AUTH_MODE: 'apikey', API_KEYS_FILE: keysFile() });
  });
  afterAll(() => api?.stop());

  it('answers the committed document at /api/docs/openapi.json without credentials', async () => {
    const response = await fetch(new URL('/api/docs/openapi.json', api.url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const document = (await response.json()) as { openapi: string; paths: object };
    expect(document).toEqual(JSON.parse(readFileSync(COMMITTED, 'utf8')));
  });

  it('serves the docs UI at /api/docs without credentials, while the api still refuses', async () => {
    const ui = await fetch(new URL('/api/docs', api.url));
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui');
    const me = await fetch(new URL('/api/me', api.url));
    expect(me.status).toBe(401);
  });
});
