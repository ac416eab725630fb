import { connect, type Socket } from 'node:net';
import { setTimeout } from 'node:timers/promises';
import { startApi, type ApiProcess } from '@tokenstream/e2e-support';
import { ApiPaths } from '@tokenstream/stream-contracts';
import { useApiUnderTest } from './support/api-under-test';

const ALLOWED = 'https://chat.example.com';

describe('CORS and security headers', () => {
  const app = useApiUnderTest({ env: { CORS_ORIGINS: `${ALLOWED},http://localhost:4200` } });

  function preflight(origin: string) {
    return fetch(new URL(ApiPaths.chatStream, app.url), {
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
    const get = await fetch(new URL(ApiPaths.models, app.url), { headers: { origin: ALLOWED } });
    expect(get.headers.get('access-control-expose-headers')).toMatch(/X-Stream-Id/);
  });

  it('gives any other origin no CORS headers at all', async () => {
    const response = await preflight('https://evil.example.net');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    const get = await fetch(new URL(ApiPaths.models, app.url), {
      headers: { origin: 'https://evil.example.net' },
    });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends security headers on API answers', async () => {
    const response = await fetch(new URL(ApiPaths.models, app.url));
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
  });

  // A page on any site can POST these without a CORS preflight, with the user's SSO cookie: only a
  // JSON body (which needs the preflight) may start a reply.
  it.each([
    ['application/x-www-form-urlencoded', 'messages[0][role]=user&messages[0][content]=Hi'],
    ['text/plain', JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }] })],
    [
      'multipart/form-data; boundary=x',
      '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--',
    ],
  ])('starts no reply from a body a cross-site form can send (%s)', async (type, body) => {
    for (const path of [ApiPaths.chatStream, '/v1/chat/completions']) {
      const response = await fetch(new URL(path, app.url), {
        method: 'POST',
        headers: { 'content-type': type, origin: 'https://evil.example.net' },
        body,
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('x-stream-id')).toBeNull();
    }
  });

  it('refuses a CORS origin with a path or a wildcard at boot', async () => {
    await expect(startApi({ CORS_ORIGINS: 'https://*.example.com' })).rejects.toThrow(
      /CORS_ORIGINS=/,
    );
  });
});

describe('a surge of new connections', () => {
  /**
   * Opens `count` connections to `url` while its process is stopped (as busy as it gets: it
   * accepts nothing), and counts those the kernel completes within `waitMs`: the ones it holds in
   * the listen backlog for the api. A connection past the backlog gets no answer to its SYN and
   * would retry a second later, then three, then seven.
   */
  async function acceptedWhileBusy(
    api: ApiProcess,
    count: number,
    waitMs: number,
  ): Promise<number> {
    const { hostname, port } = new URL(api.url);
    const sockets: Socket[] = [];
    let connected = 0;
    api.child.kill('SIGSTOP');
    try {
      for (let i = 0; i < count; i += 1) {
        const socket = connect({ host: hostname, port: Number(port) });
        socket.on('error', () => undefined);
        socket.once('connect', () => (connected += 1));
        sockets.push(socket);
      }
      await setTimeout(waitMs);
      return connected;
    } finally {
      for (const socket of sockets) socket.destroy();
      api.child.kill('SIGCONT');
    }
  }

  it('are all held for the api while it is busy, past Node’s default backlog of 511', async () => {
    const api = await startApi();
    try {
      expect(await acceptedWhileBusy(api, 1_000, 1_500)).toBe(1_000);
      // And it serves once it is back.
      expect((await fetch(new URL(ApiPaths.healthLive, api.url))).status).toBe(200);
    } finally {
      await api.stop();
    }
  });

  it('past LISTEN_BACKLOG, wait for a retry', async () => {
    const api = await startApi({ LISTEN_BACKLOG: '100' });
    try {
      const accepted = await acceptedWhileBusy(api, 300, 500);
      expect(accepted).toBeGreaterThan(50);
      expect(accepted).toBeLessThan(200);
    } finally {
      await api.stop();
    }
  });
});
