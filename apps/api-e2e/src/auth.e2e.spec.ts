import {
  readStream,
  spawnApi,
  startApi,
  withApi,
  writeKeysFile,
  type ApiProcess,
} from '@tokenstream/e2e-support';
import {
  ApiPaths,
  STREAM_ID_HEADER,
  type MeResponse,
  type ModelsResponse,
} from '@tokenstream/stream-contracts';
import { openStream } from './support/stream-client';
import { startTestIssuer, type TestIssuer } from './support/test-issuer';

const hi = { messages: [{ role: 'user', content: 'Hi' }] };

const KEYS = {
  billing: 'tsk_billing_0123456789abcdef',
  search: 'tsk_search_0123456789abcdef',
  revoked: 'tsk_revoked_0123456789abcdef',
};

function keysFile(): string {
  return writeKeysFile([
    { name: 'billing', key: KEYS.billing, models: ['demo'] },
    { name: 'search', key: KEYS.search },
    { name: 'old', key: KEYS.revoked, revoked: true },
  ]);
}

async function get(api: ApiProcess, path: string, headers: Record<string, string> = {}) {
  return fetch(new URL(path, api.url), { headers });
}

describe('API keys (AUTH_MODE=apikey)', () => {
  let api: ApiProcess;
  beforeAll(async () => {
    api = await startApi({
      AUTH_MODE: 'apikey',
      API_KEYS_FILE: keysFile(),
      CHAT_MODELS: 'demo,demo-large',
      AUTH_SIGN_IN_URL: '/oauth2/start?rd={returnTo}',
      DEMO_TOKEN_DELAY_MS: '20',
    });
  });
  afterAll(() => api?.stop());

  it('refuses a request without credentials: 401, JSON, WWW-Authenticate', async () => {
    const response = await openStream(api.url, hi);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="tokenstream"');
    expect(await response.json()).toMatchObject({ statusCode: 401, code: 'unauthenticated' });
  });

  it('gives every bad key the same 401, whatever is wrong with it', async () => {
    const answers = await Promise.all(
      [KEYS.revoked, 'tsk_made_up', `${KEYS.billing}x`, ''].map(async (key) => {
        const response = await get(api, ApiPaths.me, { authorization: `Bearer ${key}` });
        return [response.status, response.headers.get('www-authenticate'), await response.text()];
      }),
    );
    for (const [status, challenge, body] of answers) {
      expect(status).toBe(401);
      expect(String(challenge)).toMatch(/^Bearer realm="tokenstream"/);
      expect(JSON.parse(String(body))).toMatchObject({ code: 'unauthenticated' });
    }
    const bodies = answers.map(([, , body]) => JSON.parse(String(body)).message);
    expect(new Set(bodies).size).toBe(1);
  });

  it('recognises a key sent as a bearer token or as X-API-Key', async () => {
    const asBearer = await get(api, ApiPaths.me, {
      authorization: `Bearer ${KEYS.search}`,
    });
    expect(await asBearer.json()).toMatchObject<Partial<MeResponse>>({
      id: 'apikey:search',
      kind: 'service',
      via: 'apikey',
      models: ['demo', 'demo-large'],
    });
    const asHeader = await get(api, ApiPaths.me, { 'x-api-key': KEYS.billing });
    expect(await asHeader.json()).toMatchObject({ id: 'apikey:billing', models: ['demo'] });
  });

  it('restricts a key to its models: the list shows only those, and another is a 403', async () => {
    const models = (await (
      await get(api, ApiPaths.models, { 'x-api-key': KEYS.billing })
    ).json()) as ModelsResponse;
    expect(models.models).toEqual(['demo']);
    const refused = await fetch(new URL(ApiPaths.chatStream, api.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEYS.billing },
      body: JSON.stringify({ ...hi, model: 'demo-large' }),
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'model_not_allowed' });
  });

  it("keeps each caller's streams to itself: another gets 404 to read, resume or stop it", async () => {
    const response = await fetch(new URL(ApiPaths.chatStream, api.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEYS.billing },
      body: JSON.stringify(hi),
    });
    expect(response.status).toBe(200);
    const streamId = response.headers.get(STREAM_ID_HEADER)!;
    const reading = readStream(response);
    const asOther = { 'x-api-key': KEYS.search };
    expect((await get(api, ApiPaths.streamEvents(streamId), asOther)).status).toBe(404);
    const stop = await fetch(new URL(ApiPaths.stream(streamId), api.url), {
      method: 'DELETE',
      headers: asOther,
    });
    expect(stop.status).toBe(404);
    const stopOwn = await fetch(new URL(ApiPaths.stream(streamId), api.url), {
      method: 'DELETE',
      headers: { 'x-api-key': KEYS.billing },
    });
    expect(stopOwn.status).toBe(204);
    expect((await reading).frames.at(-1)?.frame).toEqual({
      type: 'finish',
      finishReason: 'cancelled',
    });
  });

  it('keeps health and the client configuration public', async () => {
    expect((await get(api, ApiPaths.health)).status).toBe(200);
    const config = await get(api, ApiPaths.clientConfig);
    expect(config.status).toBe(200);
    expect(await config.json()).toEqual({ signInUrl: '/oauth2/start?rd={returnTo}' });
  });
});

describe('identity from an auth proxy (AUTH_MODE=proxy)', () => {
  /** A trusted proxy in front of two models, the larger one for admins only. */
  const PROXY_WITH_ADMIN_MODEL = {
    AUTH_MODE: 'proxy',
    TRUSTED_PROXY_CIDRS: '127.0.0.0/8,::1/128',
    CHAT_MODELS: 'demo,demo-large',
    MODEL_GROUPS: 'demo-large:admins',
  };
  const identity = {
    'x-auth-request-user': 'alice',
    'x-auth-request-email': 'alice@example.com',
    'x-auth-request-groups': 'staff,admins',
  };

  it('believes the headers from a trusted proxy address', async () => {
    await withApi(PROXY_WITH_ADMIN_MODEL, async (api) => {
      const me = (await (await get(api, ApiPaths.me, identity)).json()) as MeResponse;
      expect(me).toMatchObject({
        id: 'proxy:alice',
        kind: 'user',
        via: 'proxy',
        email: 'alice@example.com',
        groups: ['staff', 'admins'],
      });
      expect(me.models).toEqual(['demo', 'demo-large']);
      expect((await get(api, ApiPaths.me)).status).toBe(401);
      // A user outside the group a model is restricted to neither sees it nor may use it.
      const bob = { 'x-auth-request-user': 'bob', 'x-auth-request-groups': 'staff' };
      expect(
        ((await (await get(api, ApiPaths.models, bob)).json()) as ModelsResponse).models,
      ).toEqual(['demo']);
      const refused = await openStream(api.url, { ...hi, model: 'demo-large' }, undefined, bob);
      expect(refused.status).toBe(403);
    });
  });

  it('reads one header family: a forged X-Forwarded-* beside the proxy’s X-Auth-Request-User grants nothing', async () => {
    await withApi(PROXY_WITH_ADMIN_MODEL, async (api) => {
      // The proxy set the user; the client's own headers of the other family passed through it.
      const forged = {
        'x-auth-request-user': 'mallory',
        'x-forwarded-user': 'admin',
        'x-forwarded-email': 'admin@example.com',
        'x-forwarded-groups': 'admins',
      };
      const me = (await (await get(api, ApiPaths.me, forged)).json()) as MeResponse;
      expect(me).toMatchObject({ id: 'proxy:mallory', groups: [], models: ['demo'] });
      expect(me.email).toBeUndefined();
      const refused = await openStream(api.url, { ...hi, model: 'demo-large' }, undefined, forged);
      expect(refused.status).toBe(403);
      // Alone, the other family is no identity at all.
      expect((await get(api, ApiPaths.me, { 'x-forwarded-user': 'admin' })).status).toBe(401);
    });
  });

  it('reads the X-Forwarded-* family instead when PROXY_HEADERS says so', async () => {
    await withApi(
      {
        AUTH_MODE: 'proxy',
        TRUSTED_PROXY_CIDRS: '127.0.0.0/8,::1/128',
        PROXY_HEADERS: 'x-forwarded',
      },
      async (api) => {
        const me = (await (
          await get(api, ApiPaths.me, {
            'x-forwarded-user': 'bob',
            'x-forwarded-groups': 'staff',
            'x-auth-request-user': 'admin',
            'x-auth-request-groups': 'admins',
          })
        ).json()) as MeResponse;
        expect(me).toMatchObject({ id: 'proxy:bob', groups: ['staff'] });
      },
    );
  });

  it('answers forged identity headers from anywhere else with a 401, never a principal', async () => {
    await withApi({ AUTH_MODE: 'proxy', TRUSTED_PROXY_CIDRS: '10.0.0.0/8' }, async (api) => {
      const response = await get(api, ApiPaths.me, identity);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: 'unauthenticated' });
    });
  });
});

describe('without authentication (AUTH_MODE=none, the default outside production)', () => {
  it('serves everyone as one anonymous caller', async () => {
    await withApi({}, async (api) => {
      expect(await (await get(api, ApiPaths.me)).json()).toMatchObject({
        id: 'anonymous',
        kind: 'anonymous',
        via: 'none',
      });
    });
  });

  it('warns loudly when it runs so in production, where it must be asked for', async () => {
    await withApi({ NODE_ENV: 'production', AUTH_MODE: 'none' }, async (api) => {
      expect(
        api.logs.some((line) => line.level === 40 && /AUTH_MODE=none/.test(String(line.msg))),
      ).toBe(true);
    });
  });
});

describe('settings the api refuses to start with', () => {
  it.each([
    [
      'production without AUTH_MODE',
      { NODE_ENV: 'production' },
      'tokenstream api: invalid configuration: AUTH_MODE is unset: NODE_ENV=production needs an explicit choice; set AUTH_MODE=oidc|proxy|apikey, or AUTH_MODE=none to run open on purpose',
    ],
    [
      'the replaced lists of proxy identity headers',
      {
        AUTH_MODE: 'proxy',
        TRUSTED_PROXY_CIDRS: '127.0.0.1',
        PROXY_GROUPS_HEADERS: 'x-auth-request-groups,x-forwarded-groups',
      },
      'tokenstream api: invalid configuration: PROXY_GROUPS_HEADERS is no longer read: the identity comes from one header family, PROXY_HEADERS=x-auth-request|x-forwarded (or PROXY_GROUPS_HEADER, one custom name)',
    ],
  ])('%s: exits 1 with one line saying what to set', async (_name, env, line) => {
    const { child, exited } = spawnApi(env);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await exited).toEqual({ code: 1, signal: null });
    expect(stderr.trim().split('\n')).toEqual([line]);
  });
});

describe('OIDC bearer tokens (AUTH_MODE=oidc)', () => {
  let issuer: TestIssuer;
  let api: ApiProcess;
  beforeAll(async () => {
    issuer = await startTestIssuer('tokenstream');
    api = await startApi({
      AUTH_MODE: 'oidc',
      OIDC_ISSUER: issuer.issuer,
      OIDC_AUDIENCE: 'tokenstream',
      DEMO_TOKEN_DELAY_MS: '0',
    });
  });
  afterAll(async () => {
    await api?.stop();
    await issuer?.close();
  });

  it('recognises a valid token: the user, their email and groups', async () => {
    const token = await issuer.sign({
      sub: 'u-123',
      email: 'alice@example.com',
      name: 'Alice',
      groups: ['staff'],
    });
    const me = (await (
      await get(api, ApiPaths.me, { authorization: `Bearer ${token}` })
    ).json()) as MeResponse;
    expect(me).toMatchObject({
      id: `oidc:${issuer.issuer}|u-123`,
      kind: 'user',
      via: 'oidc',
      name: 'Alice',
      email: 'alice@example.com',
      groups: ['staff'],
    });
    const transcript = await readStream(
      await fetch(new URL(ApiPaths.chatStream, api.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(hi),
      }),
    );
    expect(transcript.frames.at(-1)?.frame).toMatchObject({ type: 'finish', finishReason: 'stop' });
  });

  it('refuses an expired token, an unknown key and a tampered one with the same 401', async () => {
    const expired = await issuer.sign({ sub: 'u-1' }, { expiresIn: '-5m' });
    const unknownKid = await issuer.sign({ sub: 'u-1' }, { kid: 'key-9' });
    const valid = await issuer.sign({ sub: 'u-1' });
    const [header, payload, signature] = valid.split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'admin' }),
    ).toString('base64url');
    const tampered = `${header}.${forgedPayload}.${signature}`;
    for (const token of [expired, unknownKid, tampered, 'not-a-token']) {
      const response = await get(api, ApiPaths.me, { authorization: `Bearer ${token}` });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe(
        'Bearer realm="tokenstream", error="invalid_token"',
      );
    }
  });
});
