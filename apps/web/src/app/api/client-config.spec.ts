import { TestBed } from '@angular/core/testing';
import { ClientConfig, signInHrefOf } from './client-config';

describe('signInHrefOf', () => {
  const here = { pathname: '/chat', search: '?topic=a&b=c d' };

  it('puts this page, URL-encoded, in place of {returnTo}', () => {
    expect(signInHrefOf('/oauth2/start?rd={returnTo}', here)).toBe(
      `/oauth2/start?rd=${encodeURIComponent('/chat?topic=a&b=c d')}`,
    );
  });

  it('replaces every {returnTo}, and keeps a URL without one as it is', () => {
    expect(
      signInHrefOf('https://sso/x?a={returnTo}&b={returnTo}', { pathname: '/', search: '' }),
    ).toBe('https://sso/x?a=%2F&b=%2F');
    expect(signInHrefOf('https://sso/login', here)).toBe('https://sso/login');
  });

  it('links to this very page (a reload, which signs in behind an SSO proxy) when none is configured', () => {
    expect(signInHrefOf(undefined, here)).toBe('/chat?topic=a&b=c d');
    expect(signInHrefOf('', { pathname: '/', search: '' })).toBe('/');
  });
});

describe('ClientConfig', () => {
  const originalFetch = globalThis.fetch;
  afterEach(() => {
    globalThis.fetch = originalFetch;
  });

  function stubFetch(answer: () => Promise<Response>): jest.Mock {
    const stub = jest.fn(answer);
    globalThis.fetch = stub as unknown as typeof fetch;
    return stub;
  }

  it('loads GET /api/client-config once, and links Sign in to its signInUrl', async () => {
    const stub = stubFetch(async () => Response.json({ signInUrl: '/signed-out?rd={returnTo}' }));
    const config = TestBed.inject(ClientConfig);
    expect(config.signInHref()).toBe('/'); // until it is loaded: a reload

    await Promise.all([config.load(), config.load()]);
    await config.load();

    expect(stub).toHaveBeenCalledTimes(1);
    expect(stub.mock.calls[0][0]).toBe('/api/client-config');
    expect(config.signInHref()).toBe('/signed-out?rd=%2F');
  });

  it('falls back to a reload link when the config cannot be loaded', async () => {
    stubFetch(() => Promise.reject(new TypeError('offline')));
    const config = TestBed.inject(ClientConfig);

    await expect(config.load()).resolves.toEqual({});
    expect(config.signInHref()).toBe('/');
  });

  it('ignores a signInUrl that is not a string', async () => {
    stubFetch(async () => Response.json({ signInUrl: 42 }));
    const config = TestBed.inject(ClientConfig);

    await expect(config.load()).resolves.toEqual({});
  });
});
