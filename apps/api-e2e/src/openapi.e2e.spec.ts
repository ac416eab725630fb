import { writeKeysFile } from '@tokenstream/e2e-support';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { useApiUnderTest } from './support/api-under-test';

const COMMITTED = resolve(__dirname, '../../api/openapi.json');

function keysFile(): string {
  return writeKeysFile([{ name: 'docs', key: 'tsk_docs_0123456789abcdef' }]);
}

describe('the OpenAPI document (AUTH_MODE=apikey)', () => {
  const app = useApiUnderTest({ env: { AUTH_MODE: 'apikey', API_KEYS_FILE: keysFile() } });

  it('answers the committed document at /api/docs/openapi.json without credentials', async () => {
    const response = await fetch(new URL('/api/docs/openapi.json', app.url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const document = (await response.json()) as { openapi: string; paths: object };
    expect(document).toEqual(JSON.parse(readFileSync(COMMITTED, 'utf8')));
  });

  it('serves the docs UI at /api/docs without credentials, while the api still refuses', async () => {
    const ui = await fetch(new URL('/api/docs', app.url));
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui');
    const me = await fetch(new URL('/api/me', app.url));
    expect(me.status).toBe(401);
  });
});
