import {
  startApi,
  startPostgres,
  writeKeysFile,
  type ApiProcess,
  type PostgresServer,
} from '@tokenstream/e2e-support';
import {
  ApiPaths,
  type ApiKeyList,
  type AuditTrail,
  type CreatedApiKey,
  type MeResponse,
} from '@tokenstream/stream-contracts';
import { setTimeout } from 'node:timers/promises';
import OpenAI from 'openai';
import { callWithKey } from './support/admin-client';

jest.setTimeout(60_000);

const ROOT_KEY = 'tsk_root_0123456789abcdef';
const MEMBER_KEY = 'tsk_member_0123456789abcdef';

/** Two keys from the file: an admin (group `platform`) and a service that is not one. */
const keysFile = () =>
  writeKeysFile([
    { name: 'root', key: ROOT_KEY, groups: ['platform'] },
    { name: 'member', key: MEMBER_KEY, groups: ['ml'] },
  ]);

const settings = (extra: Record<string, string> = {}) => ({
  AUTH_MODE: 'apikey',
  API_KEYS_FILE: keysFile(),
  ADMIN_GROUPS: 'platform,security',
  DEMO_TOKEN_DELAY_MS: '1',
  ...extra,
});

const call = callWithKey;

async function makeKey(api: ApiProcess, body: object): Promise<CreatedApiKey> {
  const response = await call(api, ApiPaths.adminKeys, ROOT_KEY, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as CreatedApiKey;
}

/** Polls `GET /api/me` with `key` until it answers `status`; how long that took, in ms. */
async function timeUntil(api: ApiProcess, key: string, status: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < 5_000) {
    if ((await call(api, ApiPaths.me, key)).status === status) return Date.now() - started;
    await setTimeout(50);
  }
  throw new Error(`GET /api/me never answered ${status}`);
}

describe('keys made at runtime, on two instances sharing PostgreSQL', () => {
  let pg: PostgresServer;
  let one: ApiProcess;
  let two: ApiProcess;

  beforeAll(async () => {
    pg = await startPostgres();
    const env = settings({ DATABASE_URL: await pg.createDatabase() });
    [one, two] = await Promise.all([startApi(env), startApi(env)]);
  });
  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    await pg?.stop();
  });

  it('answers 401 without identity and 403 to a caller who is not an admin', async () => {
    for (const path of [ApiPaths.adminKeys, ApiPaths.adminAudit]) {
      const anonymous = await call(one, path);
      expect(anonymous.status).toBe(401);
      const member = await call(one, path, MEMBER_KEY);
      expect(member.status).toBe(403);
      expect(await member.json()).toMatchObject({ code: 'forbidden' });
      expect((await call(one, path, ROOT_KEY)).status).toBe(200);
    }
    const me = async (key: string) =>
      (await call(one, ApiPaths.me, key)).json() as Promise<MeResponse>;
    expect(await me(ROOT_KEY)).toMatchObject({
      id: 'apikey:root',
      groups: ['platform'],
      isAdmin: true,
    });
    expect(await me(MEMBER_KEY)).toMatchObject({ groups: ['ml'], isAdmin: false });
  });

  it('makes a key on one instance that works on the other, for native and OpenAI SDK callers', async () => {
    const made = await makeKey(one, { name: 'reports', groups: ['ml'], models: ['demo'] });
    expect(made).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'reports',
      key: expect.stringMatching(/^sk-ts-[\w-]{43}$/),
      prefix: made.key.slice(0, 12),
      groups: ['ml'],
      models: ['demo'],
      expiresAt: null,
      budget: null,
      createdAt: expect.any(String),
    });
    const me = await call(two, ApiPaths.me, made.key);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({
      id: 'apikey:reports',
      kind: 'service',
      groups: ['ml'],
      models: ['demo'],
      isAdmin: false,
    });
    const sdk = new OpenAI({ apiKey: made.key, baseURL: `${two.url}/v1`, maxRetries: 0 });
    const completion = await sdk.chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: 'Hello' }],
    });
    expect(completion.choices[0].message.content?.length).toBeGreaterThan(0);

    // Listed on either instance without its secret.
    const listed = (await (await call(two, ApiPaths.adminKeys, ROOT_KEY)).json()) as ApiKeyList;
    const entry = listed.keys.find((key) => key.id === made.id);
    expect(entry).toMatchObject({
      name: 'reports',
      prefix: made.prefix,
      createdBy: 'apikey:root',
      revokedAt: null,
    });
    expect(JSON.stringify(listed)).not.toContain(made.key);
  });

  it('refuses a key revoked on the other instance within a second, and records who did what', async () => {
    const made = await makeKey(one, { name: 'leaked' });
    expect((await call(one, ApiPaths.me, made.key)).status).toBe(200);
    const revoked = await call(two, ApiPaths.adminKey(made.id), ROOT_KEY, { method: 'DELETE' });
    expect(revoked.status).toBe(204);
    expect(await timeUntil(one, made.key, 401)).toBeLessThanOrEqual(1_000);
    // Revoking again changes nothing.
    expect(
      (await call(one, ApiPaths.adminKey(made.id), ROOT_KEY, { method: 'DELETE' })).status,
    ).toBe(204);

    const trail = (await (await call(two, ApiPaths.adminAudit, ROOT_KEY)).json()) as AuditTrail;
    const about = trail.events.filter((event) => event.target === made.id);
    expect(about.map(({ action, actor }) => ({ action, actor }))).toEqual([
      { action: 'auth.revoked_key_used', actor: 'apikey:leaked' },
      { action: 'key.revoked', actor: 'apikey:root' },
      { action: 'key.created', actor: 'apikey:root' },
    ]);
    expect(about[0].detail).toMatchObject({ reason: 'revoked', count: 1 });
    expect(JSON.stringify(trail)).not.toContain(made.key);
  });

  it('summarises repeated failed credentials from one address as one audit event', async () => {
    for (let i = 0; i < 7; i += 1) {
      expect((await call(two, ApiPaths.me, `sk-ts-guess-${i}`)).status).toBe(401);
    }
    await setTimeout(200);
    const trail = (await (await call(two, ApiPaths.adminAudit, ROOT_KEY)).json()) as AuditTrail;
    const failures = trail.events.filter((event) => event.action === 'auth.failures');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      actor: 'anonymous',
      target: '127.0.0.1',
      detail: { count: 5 },
    });
  });

  it('names what is wrong with a request: 400, 409 for a name in use, 404 for no such key', async () => {
    const bad = await call(one, ApiPaths.adminKeys, ROOT_KEY, {
      method: 'POST',
      body: JSON.stringify({ name: 'no spaces', budget: { usd: -1, period: 'week' } }),
    });
    expect(bad.status).toBe(400);
    const problems = ((await bad.json()) as { problems: { path: string }[] }).problems.map(
      (p) => p.path,
    );
    expect(problems).toEqual(expect.arrayContaining(['name', 'budget.usd', 'budget.period']));
    const past = await call(one, ApiPaths.adminKeys, ROOT_KEY, {
      method: 'POST',
      body: JSON.stringify({ name: 'late', expiresAt: '2020-01-01T00:00:00Z' }),
    });
    expect(past.status).toBe(400);
    await makeKey(one, { name: 'twice' });
    const taken = await call(two, ApiPaths.adminKeys, ROOT_KEY, {
      method: 'POST',
      body: JSON.stringify({ name: 'twice' }),
    });
    expect(taken.status).toBe(409);
    expect(await taken.json()).toMatchObject({ code: 'key_name_taken' });
    // The key and its audit event are written together: a key refused leaves no event.
    const trail = (await (await call(one, ApiPaths.adminAudit, ROOT_KEY)).json()) as AuditTrail;
    const made = trail.events.filter(
      (event) => event.action === 'key.created' && event.detail['name'] === 'twice',
    );
    expect(made).toHaveLength(1);
    for (const id of ['00000000-0000-7000-8000-000000000000', 'not-an-id']) {
      const missing = await call(one, ApiPaths.adminKey(id), ROOT_KEY, { method: 'DELETE' });
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ code: 'key_not_found' });
    }
  });
});

describe('keys made at runtime, one instance on the embedded database', () => {
  let api: ApiProcess;
  beforeAll(async () => {
    api = await startApi(settings());
    // The embedded database opens when first needed, in seconds: before the clock of the test.
    expect((await call(api, ApiPaths.adminAudit, ROOT_KEY)).status).toBe(200);
  });
  afterAll(() => api?.stop());

  it('stops taking a key once it expires', async () => {
    const made = await makeKey(api, {
      name: 'short-lived',
      expiresAt: new Date(Date.now() + 2_000).toISOString(),
    });
    expect((await call(api, ApiPaths.me, made.key)).status).toBe(200);
    await setTimeout(2_000);
    expect(await timeUntil(api, made.key, 401)).toBeLessThanOrEqual(1_000);
    const trail = (await (await call(api, ApiPaths.adminAudit, ROOT_KEY)).json()) as AuditTrail;
    expect(
      trail.events.find(
        (event) => event.target === made.id && event.action === 'auth.revoked_key_used',
      )?.detail,
    ).toMatchObject({ reason: 'expired' });
  });
});
