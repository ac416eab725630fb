import { ApiPaths } from '@tokenstream/stream-contracts';
import { startApi, type ApiProcess } from './support/api-process';

const ALLOWED = 'https://chat.example.com';

describe('CORS and security headers', () => {
  let api: ApiProcess;
  beforeAll(async () => {
    api = await startApi({ CORS_ORIGINS: `${ALLOWED},http://localhost:4200` });
  });
  afterAll(() => api?.stop());

  function preflight(origin: string) {
    return fetch(new URL(ApiPaths.chatStream, api.url), {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization',
      },
    });
  }

  it('lets a listed origin call the api with credentials, and read the stream headers', async () => {
    const response = await preflight(ALLOWED);
    expect(response.status).toBeLessThan(300);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    const get = await fetch(new URL(ApiPaths.models, api.url), { headers: { origin: ALLOWED } });
    expect(get.headers.get('access-control-expose-headers')).toMatch(/X-Stream-Id/);
  });

  it('gives any other origin no CORS headers at all', async () => {
    const response = await preflight('https://evil.example.net');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    const get = await fetch(new URL(ApiPaths.models, api.url), {
      headers: { origin: 'https://evil.example.net' },
    });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends security headers on API answers', async () => {
    const response = await fetch(new URL(ApiPaths.models, api.url));
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
  });

  it('refuses a CORS origin with a path or a wildcard at boot', async () => {
    await expect(startApi({ CORS_ORIGINS: 'https://*.example.com' })).rejects.toThrow(
      /CORS_ORIGINS=/,
    );
  });
});
