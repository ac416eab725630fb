import {
  ApiPaths,
  type ApiErrorBody,
  type ApiKeySummary,
  type AuditEvent,
  type BudgetStatus,
  type CreatedApiKey,
  type MeResponse,
  type NewApiKey,
  type UsageGroupBy,
  type UsageRow,
} from '@tokenstream/stream-contracts';

/** A request the fake answered: its method, path (with the query) and JSON body. */
export interface SeenRequest {
  method: string;
  path: string;
  body: unknown;
}

/** The signed-in user the fake answers `GET /api/me` with. */
export function meOf(fields: Partial<MeResponse> = {}): MeResponse {
  return {
    id: 'proxy:ada',
    kind: 'user',
    via: 'proxy',
    name: 'Ada',
    groups: ['platform'],
    models: ['demo'],
    embeddingModels: [],
    isAdmin: true,
    ...fields,
  };
}

const errorBody = (statusCode: number, code: ApiErrorBody['code'], message: string) =>
  Response.json({ statusCode, code, message } satisfies ApiErrorBody, { status: statusCode });

/**
 * The api's admin routes in memory, answering as the real one does (as `libs/stream-contracts`
 * types them), stood in for `fetch`: keys made, listed and revoked (each in the audit trail),
 * budgets set and removed, usage rows by any `groupBy`. `failing` makes a route answer an error.
 */
export class FakeAdminServer {
  me: MeResponse = meOf();
  keys: ApiKeySummary[] = [];
  budgets: BudgetStatus[] = [];
  audit: AuditEvent[] = [];
  /** The usage rows by `groupBy`, whatever the period asked. */
  usage: Partial<Record<UsageGroupBy, UsageRow[]>> = {};
  /** `METHOD /path` (without the query) → the error body to answer instead. */
  failing = new Map<string, { status: number; code: ApiErrorBody['code']; message: string }>();
  readonly requests: SeenRequest[] = [];
  private made = 0;
  private readonly originalFetch = globalThis.fetch;

  /** Answers every `fetch` of the page from now on, until {@link restore}. */
  install(): this {
    globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const method = init?.method ?? 'GET';
      const path = String(input);
      const body: unknown = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
      this.requests.push({ method, path, body });
      return this.answer(method, path, body);
    }) as typeof fetch;
    return this;
  }

  restore(): void {
    globalThis.fetch = this.originalFetch;
  }

  /** The requests made to `path` (the query left out). */
  requestsTo(method: string, path: string): SeenRequest[] {
    return this.requests.filter((r) => r.method === method && r.path.split('?')[0] === path);
  }

  private answer(method: string, fullPath: string, body: unknown): Response {
    const [path] = fullPath.split('?');
    const query = new URLSearchParams(fullPath.split('?')[1] ?? '');
    const failure = this.failing.get(`${method} ${path}`);
    if (failure) return errorBody(failure.status, failure.code, failure.message);
    if (path === ApiPaths.clientConfig) return Response.json({});
    if (path === ApiPaths.me) return Response.json(this.me);
    if (path.startsWith('/api/admin/') && !this.me.isAdmin) {
      return errorBody(403, 'forbidden', 'This is for admins (ADMIN_GROUPS) only.');
    }
    if (path === ApiPaths.adminKeys && method === 'GET') return Response.json({ keys: this.keys });
    if (path === ApiPaths.adminKeys && method === 'POST') return this.makeKey(body as NewApiKey);
    if (path.startsWith(`${ApiPaths.adminKeys}/`) && method === 'DELETE') {
      return this.revokeKey(decodeURIComponent(path.slice(ApiPaths.adminKeys.length + 1)));
    }
    if (path === ApiPaths.adminUsage && method === 'GET') {
      const groupBy = (query.get('groupBy') ?? 'user') as UsageGroupBy;
      return Response.json({ rows: this.usage[groupBy] ?? [] });
    }
    if (path === ApiPaths.adminBudgets && method === 'GET') {
      return Response.json({ budgets: this.budgets });
    }
    const budget = /^\/api\/admin\/budgets\/(user|group)\/(.+)$/.exec(path);
    if (budget && method === 'PUT') {
      const set = body as { usd: number; period: 'day' | 'month' };
      const kind = budget[1] as 'user' | 'group';
      const id = decodeURIComponent(budget[2]);
      const status: BudgetStatus = { kind, id, usd: set.usd, period: set.period, spentUsd: 0 };
      this.budgets = [...this.budgets.filter((b) => !(b.kind === kind && b.id === id)), status];
      this.audit = [this.event('budget.set', `${kind}:${id}`, { ...set }), ...this.audit];
      return Response.json(status);
    }
    if (budget && method === 'DELETE') {
      const id = decodeURIComponent(budget[2]);
      this.budgets = this.budgets.filter((b) => !(b.kind === budget[1] && b.id === id));
      this.audit = [this.event('budget.removed', `${budget[1]}:${id}`, {}), ...this.audit];
      return new Response(null, { status: 204 });
    }
    if (path === ApiPaths.adminAudit && method === 'GET') {
      return Response.json({ events: this.audit });
    }
    return errorBody(404, 'http_error', `No route ${method} ${path} in this fake.`);
  }

  private makeKey(request: NewApiKey): Response {
    if (this.keys.some((k) => k.name === request.name && k.revokedAt === null)) {
      return errorBody(409, 'key_name_taken', `A key named ${request.name} is in use.`);
    }
    this.made += 1;
    const secret = `sk-ts-secret${this.made}-0123456789abcdefghijklmnopqrstuvwx`;
    const created: CreatedApiKey = {
      id: `00000000-0000-4000-8000-00000000000${this.made}`,
      name: request.name,
      key: secret,
      prefix: secret.slice(0, 12),
      groups: request.groups ?? [],
      models: request.models ?? null,
      expiresAt: request.expiresAt ?? null,
      budget: request.budget ?? null,
      createdAt: '2026-12-07T10:00:00.000Z',
    };
    const { key: _secret, ...listed } = created;
    void _secret;
    this.keys = [
      {
        ...listed,
        limits: null,
        createdBy: this.me.id,
        lastUsedAt: null,
        revokedAt: null,
      },
      ...this.keys,
    ];
    this.audit = [this.event('key.created', created.id, { name: created.name }), ...this.audit];
    return Response.json(created, { status: 201 });
  }

  private revokeKey(id: string): Response {
    const key = this.keys.find((k) => k.id === id);
    if (!key) return errorBody(404, 'key_not_found', 'No such key.');
    if (key.revokedAt === null) {
      this.keys = this.keys.map((k) =>
        k.id === id ? { ...k, revokedAt: '2026-12-07T11:00:00.000Z' } : k,
      );
      this.audit = [this.event('key.revoked', id, { name: key.name }), ...this.audit];
    }
    return new Response(null, { status: 204 });
  }

  private event(action: AuditEvent['action'], target: string, detail: Record<string, unknown>) {
    return { at: '2026-12-07T10:00:00.000Z', actor: this.me.id, action, target, detail };
  }
}
