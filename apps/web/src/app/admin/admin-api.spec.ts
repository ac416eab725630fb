import { TestBed } from '@angular/core/testing';
import { ChatClientError } from '@tokenstream/stream-client';
import { AdminApi } from './admin-api';
import { AdminApiError, describeAdminError } from './admin-api-error';
import { FakeAdminServer } from './testing/fake-admin-server';

describe('AdminApi', () => {
  let server: FakeAdminServer;
  let api: AdminApi;

  beforeEach(() => {
    server = new FakeAdminServer().install();
    api = TestBed.inject(AdminApi);
  });
  afterEach(() => server.restore());

  it('asks for usage of a period totalled by what it is told', async () => {
    server.usage.model = [
      { model: 'demo', requests: 3, promptTokens: 30, completionTokens: 60, costUsd: 0.5 },
    ];

    const report = await api.usage({ from: '2026-12-01', to: '2027-01-01' }, 'model');

    expect(report.rows).toEqual(server.usage.model);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/admin/usage?from=2026-12-01&to=2027-01-01&groupBy=model',
    ]);
  });

  it('sets and removes a budget at its owner’s path, the id encoded', async () => {
    const set = await api.setBudget('group', 'ml/ops', { usd: 50, period: 'month' });
    await api.removeBudget('user', 'proxy:ada');

    expect(set).toEqual({ kind: 'group', id: 'ml/ops', usd: 50, period: 'month', spentUsd: 0 });
    expect(server.requests).toEqual([
      {
        method: 'PUT',
        path: '/api/admin/budgets/group/ml%2Fops',
        body: { usd: 50, period: 'month' },
      },
      { method: 'DELETE', path: '/api/admin/budgets/user/proxy%3Aada', body: undefined },
    ]);
  });

  it('makes a key with the body given, and revokes one by id', async () => {
    const made = await api.createKey({ name: 'reports', groups: ['ml'] });
    await api.revokeKey(made.id);

    expect(made.key).toMatch(/^sk-ts-/);
    expect(server.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', '/api/admin/keys', { name: 'reports', groups: ['ml'] }],
      ['DELETE', `/api/admin/keys/${made.id}`, undefined],
    ]);
    expect((await api.listKeys()).keys[0].revokedAt).not.toBeNull();
  });

  it('asks for the audit trail of a period', async () => {
    await api.audit({ from: '2026-12-01', to: '2026-12-08' });

    expect(server.requests.map((r) => r.path)).toEqual([
      '/api/admin/audit?from=2026-12-01&to=2026-12-08',
    ]);
  });

  it('rejects with the api’s code and message when it refuses', async () => {
    server.me = { ...server.me, isAdmin: false };

    const error = await api.listKeys().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AdminApiError);
    expect(error).toMatchObject({ status: 403, code: 'forbidden' });
    expect(describeAdminError(error)).toBe('This is for admins (ADMIN_GROUPS) only.');
  });

  it('says what the status was when an error answer has no JSON body (a proxy’s page)', async () => {
    globalThis.fetch = (async () =>
      new Response('Bad gateway', {
        status: 502,
        headers: { 'Content-Type': 'text/plain' },
      })) as typeof fetch;

    const error = await api.listKeys().catch((e: unknown) => e);

    expect(error).toMatchObject({ status: 502, code: undefined });
    expect(describeAdminError(error)).toBe('The api answered 502.');
  });

  it('rejects a 401 as an expired session', async () => {
    server.failing.set('GET /api/admin/budgets', {
      status: 401,
      code: 'unauthenticated',
      message: 'Sign in.',
    });

    const error = await api.listBudgets().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ChatClientError);
    expect(describeAdminError(error)).toBe(
      'Your session has expired: reload the page to sign in again.',
    );
  });
});

describe('describeAdminError', () => {
  it('names every problem the api found with a request', () => {
    const error = new AdminApiError(400, 'invalid_request', 'Invalid request', [
      { path: 'name', message: 'expected 1 to 64 letters, digits, ".", "_" or "-"' },
    ]);
    expect(describeAdminError(error)).toBe(
      'Invalid request · name: expected 1 to 64 letters, digits, ".", "_" or "-"',
    );
  });

  it('says the api could not be reached when the network failed, and never says nothing', () => {
    expect(describeAdminError(new TypeError('Failed to fetch'))).toBe(
      'The api could not be reached: check the connection and try again.',
    );
    expect(describeAdminError('?')).toBe('Something went wrong.');
  });
});
