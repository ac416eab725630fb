import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  SignJWT,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  type KeyLike,
} from 'jose';
import { AuthFailure } from './auth-failure';
import { OIDC_DISCOVERY_PATH } from './oidc-discovery';
import { DEFAULT_OIDC_SETTINGS, type OidcSettings } from './oidc-settings';
import { OIDC_JWKS_MAX_AGE_MS, OidcTokenVerifier } from './oidc-token-verifier';

// Every test is bounded: a hang fails the test instead of stalling the run.
jest.setTimeout(5_000);

const AUDIENCE = 'tokenstream-api';
const REALM_PATH = '/realms/tokenstream';
const JWKS_PATH = `${REALM_PATH}/protocol/openid-connect/certs`;

/** A signing key of the test issuer, with what a JWKS publishes of it. */
interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: KeyLike;
  publicJwk: JWK;
  publicPem: string;
}

async function signingKey(alg: 'RS256' | 'ES256', kid: string): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg);
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk, publicPem: await exportSPKI(publicKey) };
}

/**
 * A real OIDC issuer on 127.0.0.1 (Keycloak-shaped paths): a discovery document, a JWKS, and an
 * endpoint that never answers; it counts what it is asked for.
 */
class TestIssuer {
  readonly requests = { discovery: 0, jwks: 0 };
  keys: JWK[] = [];
  jwksStatus = 200;
  discoveryStatus = 200;
  /** What the discovery document claims as its issuer, when a test wants it to lie. */
  publishedIssuer: string | undefined;
  /** The `jwks_uri` the discovery document names, when a test wants another one. */
  publishedJwksUri: string | undefined;
  /** A raw discovery body, when a test wants one that is not JSON. */
  rawDiscovery: string | undefined;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<TestIssuer> {
    const server = createServer();
    const issuer = new TestIssuer(server);
    server.on('request', (request: IncomingMessage, response: ServerResponse) =>
      issuer.handle(request, response),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return issuer;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  get issuer(): string {
    return `${this.origin}${REALM_PATH}`;
  }
  get jwksUrl(): string {
    return `${this.origin}${JWKS_PATH}`;
  }
  get hangingUrl(): string {
    return `${this.origin}/hang`;
  }

  reset(keys: SigningKey[]): void {
    this.requests.discovery = 0;
    this.requests.jwks = 0;
    this.keys = keys.map((key) => key.publicJwk);
    this.jwksStatus = 200;
    this.discoveryStatus = 200;
    this.publishedIssuer = undefined;
    this.publishedJwksUri = undefined;
    this.rawDiscovery = undefined;
  }

  async close(): Promise<void> {
    // Keep-alive sockets (jose's and fetch's) and the never-answered ones would hold close().
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const path = request.url ?? '';
    if (path === '/hang') return; // accepted, never answered
    if (path === `${REALM_PATH}${OIDC_DISCOVERY_PATH}`) {
      this.requests.discovery += 1;
      if (this.rawDiscovery !== undefined) return void response.end(this.rawDiscovery);
      this.json(response, this.discoveryStatus, {
        issuer: `${this.origin}${this.publishedIssuer ?? REALM_PATH}`,
        jwks_uri: this.publishedJwksUri ?? this.jwksUrl,
      });
    } else if (path === JWKS_PATH) {
      this.requests.jwks += 1;
      this.json(response, this.jwksStatus, { keys: this.keys });
    } else {
      this.json(response, 404, { error: 'not found' });
    }
  }

  private json(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  }
}

/** The reason of the `AuthFailure` that `promise` rejects with; anything else fails the test. */
async function refusal(promise: Promise<unknown>): Promise<string> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a refusal, got ${JSON.stringify(outcome)}`);
  if (!(outcome.error instanceof AuthFailure)) {
    throw new Error(`expected an AuthFailure, got ${String(outcome.error)}`);
  }
  return outcome.error.reason;
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('OidcTokenVerifier against a real issuer on 127.0.0.1', () => {
  let idp: TestIssuer;
  let rsa: SigningKey;
  let ec: SigningKey;
  let rotated: SigningKey;
  let rogue: SigningKey;
  /** How far the tests have moved `Date.now()` (jose's cache clock) and the verifier's clock. */
  let clockOffsetMs: number;

  beforeAll(async () => {
    [idp, rsa, ec, rotated, rogue] = await Promise.all([
      TestIssuer.start(),
      signingKey('RS256', 'rsa-1'),
      signingKey('ES256', 'ec-1'),
      signingKey('RS256', 'rsa-2'),
      signingKey('RS256', 'rogue'),
    ]);
  }, 20_000);
  afterAll(() => idp.close());

  beforeEach(() => {
    idp.reset([rsa, ec]);
    clockOffsetMs = 0;
    const realNow = Date.now.bind(Date);
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + clockOffsetMs);
  });
  afterEach(() => jest.restoreAllMocks());

  function settings(overrides: Partial<OidcSettings> = {}): OidcSettings {
    return {
      ...DEFAULT_OIDC_SETTINGS,
      issuer: idp.issuer,
      jwksUrl: idp.jwksUrl,
      audience: [AUDIENCE],
      ...overrides,
    };
  }

  function verifier(overrides: Partial<OidcSettings> = {}): OidcTokenVerifier {
    return new OidcTokenVerifier(settings(overrides));
  }

  /** A token from the test issuer; a claim set to `undefined` is left out. */
  function token(
    key: SigningKey,
    claims: Record<string, unknown> = {},
    header: { kid?: string; alg?: string } = {},
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const payload: JWTPayload = {
      iss: idp.issuer,
      aud: AUDIENCE,
      sub: 'user-1',
      iat: now,
      exp: now + 600,
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      groups: ['admins', 'staff'],
      ...claims,
    };
    return new SignJWT(payload)
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header })
      .sign(key.privateKey);
  }

  describe('valid tokens', () => {
    it('accepts an RS256 token and returns the principal with its groups', async () => {
      const principal = await verifier().verify(await token(rsa));

      expect(principal).toEqual({
        id: `oidc:${idp.issuer}|user-1`,
        kind: 'user',
        via: 'oidc',
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        groups: ['admins', 'staff'],
      });
      expect(idp.requests).toEqual({ discovery: 0, jwks: 1 });
    });

    it('accepts an ES256 token signed by another key of the same set', async () => {
      const principal = await verifier().verify(await token(ec, { sub: 'user-2' }));

      expect(principal.id).toBe(`oidc:${idp.issuer}|user-2`);
    });

    it('fetches the keys once for many tokens', async () => {
      const oidc = verifier();
      for (const key of [rsa, ec, rsa, ec]) await oidc.verify(await token(key));

      expect(idp.requests.jwks).toBe(1);
    });

    it.each([
      ['a space-separated string', 'admins  staff admins', ['admins', 'staff']],
      ['no claim at all', undefined, []],
      ['an array with non-strings', ['admins', 7, null, '', 'staff'], ['admins', 'staff']],
      ['an object', { admins: true }, []],
    ])('reads groups given as %s', async (_, groups, expected) => {
      const principal = await verifier().verify(await token(rsa, { groups }));

      expect(principal.groups).toEqual(expected);
    });

    it('reads the principal from the configured claims', async () => {
      const oidc = verifier({
        claims: { subject: 'oid', email: 'upn', name: 'preferred_username', groups: 'roles' },
      });

      const principal = await oidc.verify(
        await token(rsa, {
          oid: 'obj-9',
          upn: 'ada@corp',
          preferred_username: 'ada',
          roles: ['x'],
        }),
      );

      expect(principal).toEqual({
        id: `oidc:${idp.issuer}|obj-9`,
        kind: 'user',
        via: 'oidc',
        name: 'ada',
        email: 'ada@corp',
        groups: ['x'],
      });
    });

    it.each([false, 'false'])('drops an email address marked unverified (%j)', async (flag) => {
      const principal = await verifier().verify(await token(rsa, { email_verified: flag }));

      expect(principal.email).toBeUndefined();
    });

    it('keeps an email address marked verified', async () => {
      const principal = await verifier().verify(await token(rsa, { email_verified: true }));

      expect(principal.email).toBe('ada@example.com');
    });

    it('accepts a token whose audience list includes one configured audience', async () => {
      const oidc = verifier({ audience: ['other-api', AUDIENCE] });

      await expect(oidc.verify(await token(rsa, { aud: ['billing', AUDIENCE] }))).resolves.toEqual(
        expect.objectContaining({ id: `oidc:${idp.issuer}|user-1` }),
      );
    });

    it('accepts a token expired for less than the clock tolerance', async () => {
      const now = Math.floor(Date.now() / 1000);
      const expired10sAgo = await token(rsa, { iat: now - 600, exp: now - 10 });

      await expect(verifier().verify(expired10sAgo)).resolves.toBeDefined();
    });

    it('checks expiry against the injected clock', async () => {
      const oidc = new OidcTokenVerifier(settings(), { now: () => Date.now() + 3_600_000 });

      expect(await refusal(oidc.verify(await token(rsa)))).toBe('token expired');
    });
  });

  describe('tokens that are not JWS at all', () => {
    it.each([
      ['an empty string', '', 'missing token'],
      ['no token', undefined, 'missing token'],
      ['one word', 'garbage', 'malformed token'],
      ['two parts', 'abc.def', 'malformed token'],
      ['a JWE (five parts)', 'a.b.c.d.e', 'malformed token'],
      ['a Bearer prefix', 'Bearer abc.def.ghi', 'malformed token'],
      ['parts that are not base64url JSON', 'abc.def.ghi', 'malformed token'],
      ['an oversized token', `${'a'.repeat(20_000)}.b.c`, 'malformed token'],
    ])('refuses %s without asking the issuer', async (_, input, reason) => {
      expect(await refusal(verifier().verify(input as string))).toBe(reason);
      expect(idp.requests.jwks).toBe(0);
    });
  });

  describe('forgeries', () => {
    it('refuses an unsigned token (alg: none)', async () => {
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss: idp.issuer, aud: AUDIENCE, sub: 'admin', exp: now + 600 };
      const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`;

      expect(await refusal(verifier().verify(unsigned))).toBe('algorithm not allowed');
    });

    it('refuses an HS256 token keyed with the RSA public key (key confusion)', async () => {
      const now = Math.floor(Date.now() / 1000);
      const confused = await new SignJWT({ iss: idp.issuer, aud: AUDIENCE, sub: 'admin' })
        .setProtectedHeader({ alg: 'HS256', kid: rsa.kid })
        .setExpirationTime(now + 600)
        .sign(new TextEncoder().encode(rsa.publicPem));

      expect(await refusal(verifier().verify(confused))).toBe('algorithm not allowed');
    });

    it('refuses a token whose payload was changed after signing', async () => {
      const [header, , signature] = (await token(rsa)).split('.');
      const now = Math.floor(Date.now() / 1000);
      const payload = { iss: idp.issuer, aud: AUDIENCE, sub: 'admin', exp: now + 600 };
      const tampered = `${header}.${base64url(payload)}.${signature}`;

      expect(await refusal(verifier().verify(tampered))).toBe('signature invalid');
    });

    it("refuses a token signed by another key under a published key's kid", async () => {
      const impostor = await token(rogue, {}, { kid: rsa.kid });

      expect(await refusal(verifier().verify(impostor))).toBe('signature invalid');
    });

    it('refuses a token signed by a key the issuer never published', async () => {
      expect(await refusal(verifier().verify(await token(rogue)))).toBe('unknown key');
    });

    it('refuses an algorithm left out of the allow-list even with a valid signature', async () => {
      const oidc = verifier({ algorithms: ['RS256'] });

      expect(await refusal(oidc.verify(await token(ec)))).toBe('algorithm not allowed');
    });
  });

  describe('claims', () => {
    it.each([
      ['another issuer', { iss: 'https://evil.example' }, 'wrong issuer'],
      ['no issuer', { iss: undefined }, 'wrong issuer'],
      ['another audience', { aud: 'other-api' }, 'wrong audience'],
      ['no audience', { aud: undefined }, 'wrong audience'],
      ['no expiry', { exp: undefined }, 'missing expiry'],
      ['a non-numeric expiry', { exp: 'tomorrow' }, 'malformed token: bad "exp"'],
      ['no subject', { sub: undefined }, 'missing subject'],
      ['an empty subject', { sub: '' }, 'missing subject'],
      ['a blank subject', { sub: '  ' }, 'missing subject'],
      ['a numeric subject', { sub: 42 }, 'missing subject'],
    ])('refuses a token with %s', async (_, claims, reason) => {
      expect(await refusal(verifier().verify(await token(rsa, claims)))).toBe(reason);
    });

    it('refuses a token expired for longer than the clock tolerance', async () => {
      const now = Math.floor(Date.now() / 1000);
      const expired = await token(rsa, { iat: now - 600, exp: now - 60 });

      expect(await refusal(verifier().verify(expired))).toBe('token expired');
    });

    it('refuses a token not valid before a time beyond the clock tolerance', async () => {
      const now = Math.floor(Date.now() / 1000);
      const early = await token(rsa, { nbf: now + 120, exp: now + 600 });

      expect(await refusal(verifier().verify(early))).toBe('token not yet valid');
    });
  });

  describe('key rotation and the JWKS cooldown', () => {
    it('picks up a rotated key on a refetch once the cooldown has passed', async () => {
      const oidc = verifier();
      await oidc.verify(await token(rsa));
      idp.keys = [rotated.publicJwk]; // the issuer rotates and withdraws the old key

      // Within the cooldown the new kid is not fetched for.
      expect(await refusal(oidc.verify(await token(rotated)))).toBe('unknown key');
      expect(idp.requests.jwks).toBe(1);

      clockOffsetMs = DEFAULT_OIDC_SETTINGS.jwksCooldownMs + 1;
      await expect(oidc.verify(await token(rotated))).resolves.toBeDefined();
      expect(idp.requests.jwks).toBe(2);
      // The withdrawn key is gone with the old set.
      expect(await refusal(oidc.verify(await token(rsa)))).toBe('unknown key');
    });

    it('fetches at most twice for a burst of 50 tokens with random kids', async () => {
      const oidc = verifier();
      const forged = await Promise.all(
        Array.from({ length: 50 }, () => token(rogue, {}, { kid: crypto.randomUUID() })),
      );

      const reasons = await Promise.all(forged.map((jwt) => refusal(oidc.verify(jwt))));

      expect(new Set(reasons)).toEqual(new Set(['unknown key']));
      expect(idp.requests.jwks).toBeGreaterThanOrEqual(1);
      expect(idp.requests.jwks).toBeLessThanOrEqual(2);
    });

    it('fetches once per cooldown for random kids arriving one after another', async () => {
      const oidc = verifier();
      const forged = await Promise.all(
        Array.from({ length: 50 }, () => token(rogue, {}, { kid: crypto.randomUUID() })),
      );

      // Concurrent misses share one request whatever the cooldown; sequential ones only share
      // the cooldown, so this is what shows it.
      for (const jwt of forged) expect(await refusal(oidc.verify(jwt))).toBe('unknown key');
      expect(idp.requests.jwks).toBe(1);

      clockOffsetMs = DEFAULT_OIDC_SETTINGS.jwksCooldownMs + 1;
      for (const jwt of forged) expect(await refusal(oidc.verify(jwt))).toBe('unknown key');
      expect(idp.requests.jwks).toBe(2);
    });

    it('refetches the keys after their max age', async () => {
      const oidc = verifier();
      await oidc.verify(await token(rsa));

      clockOffsetMs = OIDC_JWKS_MAX_AGE_MS + 1;
      await oidc.verify(await token(rsa));

      expect(idp.requests.jwks).toBe(2);
    });
  });

  describe('discovery', () => {
    it('finds the keys through the discovery document when no JWKS URL is set', async () => {
      const oidc = verifier({ jwksUrl: undefined });

      for (const key of [rsa, ec, rsa]) await oidc.verify(await token(key));

      expect(idp.requests).toEqual({ discovery: 1, jwks: 1 });
    });

    it('shares one discovery among concurrent first requests', async () => {
      const oidc = verifier({ jwksUrl: undefined });
      const jwt = await token(rsa);

      await Promise.all(Array.from({ length: 10 }, () => oidc.verify(jwt)));

      expect(idp.requests).toEqual({ discovery: 1, jwks: 1 });
    });

    it('strips a trailing slash from the issuer to find the document', async () => {
      const issuer = `${idp.issuer}/`;
      idp.publishedIssuer = `${REALM_PATH}/`;
      const oidc = verifier({ issuer, jwksUrl: undefined });

      await expect(oidc.verify(await token(rsa, { iss: issuer }))).resolves.toBeDefined();
      expect(idp.requests.discovery).toBe(1);
    });

    it('refuses every token when the discovery document names another issuer', async () => {
      idp.publishedIssuer = '/realms/someone-else';
      const oidc = verifier({ jwksUrl: undefined });

      const reason = await refusal(oidc.verify(await token(rsa)));

      expect(reason).toBe(
        `discovery issuer mismatch: expected "${idp.issuer}", got "${idp.origin}/realms/someone-else"`,
      );
      expect(idp.requests.jwks).toBe(0);
    });

    it.each([
      ['a body that is not JSON', { rawDiscovery: '<html>' }, 'not JSON'],
      ['no jwks_uri', { publishedJwksUri: '' }, 'no jwks_uri'],
      [
        'keys over plain http off loopback',
        { publishedJwksUri: 'http://idp.example/certs' },
        'jwks_uri "http://idp.example/certs" must be https (http is allowed on a loopback host only)',
      ],
    ])('refuses a discovery document with %s', async (_, published, problem) => {
      Object.assign(idp, published);
      const oidc = verifier({ jwksUrl: undefined });

      expect(await refusal(oidc.verify(await token(rsa)))).toBe(
        `invalid discovery document: ${problem}`,
      );
      expect(idp.requests.jwks).toBe(0);
    });

    it('does not ask again for a cooldown after discovery failed, then recovers', async () => {
      idp.discoveryStatus = 503;
      const oidc = verifier({ jwksUrl: undefined });

      expect(await refusal(oidc.verify(await token(rsa)))).toBe(
        'issuer unreachable: discovery request failed: HTTP 503',
      );
      expect(await refusal(oidc.verify(await token(rsa)))).toMatch(/^issuer unreachable/);
      expect(idp.requests.discovery).toBe(1);

      idp.discoveryStatus = 200;
      clockOffsetMs = DEFAULT_OIDC_SETTINGS.jwksCooldownMs + 1;
      await expect(oidc.verify(await token(rsa))).resolves.toBeDefined();
      expect(idp.requests.discovery).toBe(2);
    });

    it('names the network failure behind an unreachable issuer', async () => {
      const refused: typeof fetch = () =>
        Promise.reject(
          new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND') }),
        );
      const oidc = new OidcTokenVerifier(settings({ jwksUrl: undefined }), { fetch: refused });

      expect(await refusal(oidc.verify(await token(rsa)))).toBe(
        'issuer unreachable: discovery request failed: fetch failed (getaddrinfo ENOTFOUND)',
      );
    });
  });

  describe('an issuer that is down', () => {
    // The default timeout (5 s) outlasts each test's own 2 s bound: only failing fast passes.
    it('fails fast when the discovery port is closed', async () => {
      const issuer = `http://127.0.0.1:${await closedPort()}/realms/gone`;
      const oidc = verifier({ issuer, jwksUrl: undefined });

      expect(await refusal(oidc.verify(await token(rsa, { iss: issuer })))).toMatch(
        /^issuer unreachable: discovery request failed: fetch failed \(.*ECONNREFUSED/,
      );
    }, 2_000);

    it('fails fast when the JWKS port is closed', async () => {
      const oidc = verifier({ jwksUrl: `http://127.0.0.1:${await closedPort()}/certs` });

      expect(await refusal(oidc.verify(await token(rsa)))).toMatch(
        /^issuer unreachable: JWKS request failed: .*ECONNREFUSED/,
      );
    }, 2_000);

    it('gives up on a discovery document that never comes, after the timeout', async () => {
      const oidc = new OidcTokenVerifier(
        settings({ jwksUrl: undefined, discoveryTimeoutMs: 200 }),
        {
          // The document is asked for at the hanging endpoint; the request itself is real.
          fetch: (_input, init) => fetch(idp.hangingUrl, init),
        },
      );

      expect(await refusal(oidc.verify(await token(rsa)))).toBe(
        'issuer unreachable: discovery request failed: timed out',
      );
    }, 2_000);

    it('gives up on a key set that never comes, after the timeout', async () => {
      const oidc = verifier({ jwksUrl: idp.hangingUrl, discoveryTimeoutMs: 200 });

      expect(await refusal(oidc.verify(await token(rsa)))).toBe(
        'issuer unreachable: JWKS request failed: request timed out',
      );
    }, 2_000);

    it('does not retry a failing JWKS for a cooldown, then recovers', async () => {
      idp.jwksStatus = 503;
      const oidc = verifier();

      for (let i = 0; i < 5; i += 1) {
        expect(await refusal(oidc.verify(await token(rsa)))).toMatch(
          /^issuer unreachable: JWKS request failed/,
        );
      }
      expect(idp.requests.jwks).toBe(1);

      idp.jwksStatus = 200;
      clockOffsetMs = DEFAULT_OIDC_SETTINGS.jwksCooldownMs + 1;
      await expect(oidc.verify(await token(rsa))).resolves.toBeDefined();
      expect(idp.requests.jwks).toBe(2);
    });

    it('keeps verifying with the last keys it fetched while the issuer is down', async () => {
      const oidc = verifier();
      await oidc.verify(await token(rsa));
      idp.jwksStatus = 503;
      clockOffsetMs = OIDC_JWKS_MAX_AGE_MS + 1; // the cached keys are due for a refetch

      await expect(oidc.verify(await token(rsa))).resolves.toBeDefined();
      await expect(oidc.verify(await token(ec))).resolves.toBeDefined();
      // One failed refetch, then the back-off; a key it never had is still refused.
      expect(idp.requests.jwks).toBe(2);
      expect(await refusal(oidc.verify(await token(rotated)))).toMatch(/^issuer unreachable/);
      expect(idp.requests.jwks).toBe(2);
    });
  });

  describe('settings', () => {
    it.each([
      [{ algorithms: ['none'] }, 'algorithms: none is refused'],
      [{ algorithms: ['RS256', 'HS256'] }, 'algorithms: HS256 is refused'],
      [{ algorithms: ['hs512'] }, 'algorithms: hs512 is refused'],
      [{ algorithms: ['RS265'] }, 'algorithms: RS265 is not one of'],
      [{ algorithms: [] }, 'algorithms: name at least one'],
      [{ audience: [] }, 'audience: name at least one'],
      [
        { issuer: 'http://idp.example/realms/x' },
        'issuer: "http://idp.example/realms/x" must be https',
      ],
      [{ issuer: 'https://idp.example/a|b' }, 'issuer: must not contain "|"'],
      [{ issuer: 'https://idp.example/?tenant=1' }, 'issuer: must have no query or fragment'],
      [
        { jwksUrl: 'http://idp.example/certs' },
        'jwksUrl: "http://idp.example/certs" must be https',
      ],
      [{ clockToleranceSeconds: 3600 }, 'clockToleranceSeconds: expected 0 to 300'],
      [{ jwksCooldownMs: 0 }, 'jwksCooldownMs: expected at least 1000'],
    ] as Array<[Partial<OidcSettings>, string]>)(
      'refuses %j at construction',
      (overrides, problem) => {
        expect(() => verifier(overrides)).toThrow(problem);
      },
    );

    it('takes https issuers and http on loopback', () => {
      expect(() => verifier({ issuer: 'https://idp.example/realms/x' })).not.toThrow();
      expect(() => verifier({ issuer: 'http://localhost:8080/realms/x' })).not.toThrow();
    });

    it('is not affected by later changes to the settings object', async () => {
      const mutable = settings({ algorithms: ['RS256'], audience: [AUDIENCE] });
      const oidc = new OidcTokenVerifier(mutable);
      (mutable.algorithms as string[]).push('HS256');
      (mutable.audience as string[]).push('other-api');

      expect(await refusal(oidc.verify(await token(rsa, { aud: 'other-api' })))).toBe(
        'wrong audience',
      );
    });
  });
});
