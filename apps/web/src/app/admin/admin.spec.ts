import { ComponentFixture, TestBed } from '@angular/core/testing';
import type { UsageRow } from '@tokenstream/stream-contracts';
import { Admin } from './admin';
import { FakeAdminServer, meOf } from './testing/fake-admin-server';

const row = (fields: Partial<UsageRow>): UsageRow => ({
  requests: 0,
  promptTokens: 0,
  completionTokens: 0,
  costUsd: 0,
  ...fields,
});

type FakeableApi = NonNullable<
  Extract<Parameters<typeof jest.useFakeTimers>[0], { doNotFake?: unknown }>['doNotFake']
>[number];

/** Every timer Jest could fake but the clock. */
const REAL_TIMERS: FakeableApi[] = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'requestIdleCallback',
  'cancelIdleCallback',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
];

describe('Admin', () => {
  let server: FakeAdminServer;
  let fixture: ComponentFixture<Admin>;
  let page: HTMLElement;
  const writeText = jest.fn<Promise<void>, [string]>();

  beforeEach(() => {
    server = new FakeAdminServer().install();
    writeText.mockReset().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
  });
  afterEach(() => {
    server.restore();
    Reflect.deleteProperty(navigator, 'clipboard');
  });

  async function open(): Promise<void> {
    fixture = TestBed.createComponent(Admin);
    page = fixture.nativeElement as HTMLElement;
    await settle();
  }

  /** Lets the fake api answer (the page, then each section) and the page render what changed. */
  async function settle(): Promise<void> {
    for (let round = 0; round < 3; round += 1) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      await fixture.whenStable();
    }
  }

  const byTestId = <T extends HTMLElement = HTMLElement>(id: string, root: ParentNode = page) =>
    root.querySelector<T>(`[data-testid="${id}"]`) as T;
  const allByTestId = (id: string) => [
    ...page.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`),
  ];
  const text = (element: Element | null) => element?.textContent?.replace(/\s+/g, ' ').trim();
  /** A table's rows as a reader sees them: each cell's text. */
  const rowsOf = (testId: string, part = 'tbody') =>
    [...byTestId(testId).querySelectorAll(`${part} tr`)].map((tr) =>
      [...tr.querySelectorAll('th, td')].map((cell) => text(cell)),
    );

  function fill(testId: string, value: string): void {
    const field = byTestId<HTMLInputElement | HTMLSelectElement>(testId);
    field.value = value;
    field.dispatchEvent(new Event('input'));
  }

  async function click(element: HTMLElement): Promise<void> {
    element.click();
    await settle();
  }

  describe('who may see it', () => {
    it('shows an admin the four sections', async () => {
      await open();

      expect([...page.querySelectorAll('h2')].map((h) => text(h))).toEqual([
        'API keys',
        'Usage',
        'Budgets',
        'Audit trail',
      ]);
      expect(byTestId('admins-only')).toBeNull();
    });

    it('tells anyone else it is for admins only, and asks the admin routes nothing', async () => {
      server.me = meOf({ isAdmin: false, groups: ['ml'] });
      await open();

      expect(text(byTestId('admins-only'))).toContain('Admins only.');
      expect(byTestId('admins-only').getAttribute('role')).toBe('alert');
      expect(page.querySelectorAll('h2')).toHaveLength(0);
      expect(server.requests.filter((r) => r.path.startsWith('/api/admin/'))).toEqual([]);
    });

    it('asks someone signed out to sign in', async () => {
      server.failing.set('GET /api/me', {
        status: 401,
        code: 'unauthenticated',
        message: 'Sign in.',
      });
      await open();

      expect(text(byTestId('admin-signed-out'))).toContain('You are not signed in.');
      expect(byTestId('sign-in')).not.toBeNull();
    });

    it('takes the focus to its heading once it knows', async () => {
      await open();
      expect(document.activeElement?.textContent).toBe('Administration');
    });
  });

  describe('keys', () => {
    async function makeKey(name: string): Promise<void> {
      fill('key-name', name);
      fill('key-groups', 'ml, analytics');
      fill('key-models', 'demo');
      fill('key-budget', '20');
      await click(byTestId('make-key'));
    }

    it('makes a key and shows its secret once, with a warning, until dismissed', async () => {
      await open();
      await makeKey('reports');

      expect(server.requestsTo('POST', '/api/admin/keys').map((r) => r.body)).toEqual([
        {
          name: 'reports',
          groups: ['ml', 'analytics'],
          models: ['demo'],
          budget: { usd: 20, period: 'month' },
        },
      ]);
      const panel = byTestId('new-key-panel');
      expect(byTestId<HTMLInputElement>('new-key-secret').value).toMatch(/^sk-ts-secret1-/);
      expect(text(byTestId('new-key-warning'))).toContain('the only time the secret is shown');
      expect(document.activeElement).toBe(panel);
      // The form is ready for another key, and the list shows the new one.
      expect(byTestId<HTMLInputElement>('key-name').value).toBe('');
      expect(rowsOf('keys-table')[0].slice(0, 3)).toEqual([
        'reports',
        'sk-ts-secret…',
        'ml, analytics',
      ]);

      await click(byTestId('dismiss-key'));
      expect(byTestId('new-key-panel')).toBeNull();
      expect(page.textContent).not.toContain('sk-ts-secret1-');
      expect(document.activeElement).toBe(byTestId('key-name'));
    });

    it('copies the secret to the clipboard, and says so', async () => {
      await open();
      await makeKey('reports');

      await click(byTestId('copy-key'));

      expect(writeText).toHaveBeenCalledWith(byTestId<HTMLInputElement>('new-key-secret').value);
      expect(text(byTestId('copy-status'))).toBe('Copied to the clipboard.');
    });

    it('says to copy it by hand when the browser will not', async () => {
      writeText.mockRejectedValue(new DOMException('denied', 'NotAllowedError'));
      await open();
      await makeKey('reports');

      await click(byTestId('copy-key'));

      expect(text(byTestId('copy-status'))).toContain('select the secret and copy it yourself');
    });

    it('shows the api’s refusal in the form, the secret panel not shown', async () => {
      await open();
      await makeKey('reports');
      await click(byTestId('dismiss-key'));

      await makeKey('reports');

      expect(text(byTestId('key-form-error'))).toBe('A key named reports is in use.');
      expect(byTestId('new-key-panel')).toBeNull();
    });

    it('revokes a key only once confirmed, and lists it as revoked', async () => {
      await open();
      await makeKey('reports');
      await click(byTestId('dismiss-key'));

      await click(byTestId('revoke-key'));
      expect(text(byTestId('confirm'))).toBe('Yes, revoke');
      expect(document.activeElement).toBe(byTestId('confirm'));
      await click(byTestId('cancel'));
      expect(server.requestsTo('DELETE', `/api/admin/keys/${server.keys[0].id}`)).toEqual([]);
      expect(document.activeElement).toBe(byTestId('revoke-key'));

      await click(byTestId('revoke-key'));
      await click(byTestId('confirm'));

      expect(server.requestsTo('DELETE', `/api/admin/keys/${server.keys[0].id}`)).toHaveLength(1);
      expect(text(byTestId('revoke-status'))).toBe('Key reports is revoked.');
      expect(rowsOf('keys-table')[0][6]).toBe('2026-12-07 11:00');
      expect(byTestId('revoke-key')).toBeNull();
    });

    it('shows why the keys could not be listed, and tries again', async () => {
      server.failing.set('GET /api/admin/keys', {
        status: 503,
        code: 'database_unavailable',
        message: 'The database cannot be reached right now.',
      });
      await open();

      expect(text(byTestId('keys-error'))).toContain('The database cannot be reached right now.');

      server.failing.clear();
      await click(byTestId('keys-error').querySelector('button') as HTMLElement);
      expect(byTestId('keys-error')).toBeNull();
      expect(text(byTestId('keys-table'))).toContain('No key has been made yet.');
    });
  });

  describe('usage', () => {
    beforeEach(() => {
      // Only the clock: "this month" is December 2026 (Angular still needs the real timers).
      jest.useFakeTimers({ now: new Date('2026-12-07T12:00:00Z'), doNotFake: REAL_TIMERS });
      server.usage.user = [
        row({
          user: 'proxy:bob',
          requests: 2,
          promptTokens: 20,
          completionTokens: 40,
          costUsd: 0.25,
        }),
        row({
          user: 'proxy:ada',
          requests: 10,
          promptTokens: 100,
          completionTokens: 1500,
          costUsd: 1.5,
        }),
      ];
      server.usage.model = [row({ model: 'demo', requests: 12, costUsd: 1.75 })];
      server.usage.day = [
        row({ day: '2026-12-02', costUsd: 0.5 }),
        row({ day: '2026-12-05', costUsd: 1.25 }),
      ];
    });
    afterEach(() => jest.useRealTimers());

    it('shows this UTC month by user, the most costly first, with totals', async () => {
      await open();

      expect(server.requestsTo('GET', '/api/admin/usage').map((r) => r.path)).toEqual([
        '/api/admin/usage?from=2026-12-01&to=2027-01-01&groupBy=user',
        '/api/admin/usage?from=2026-12-01&to=2027-01-01&groupBy=day',
      ]);
      expect(byTestId<HTMLInputElement>('usage-from').value).toBe('2026-12-01');
      expect(byTestId<HTMLInputElement>('usage-to').value).toBe('2026-12-31');
      expect(rowsOf('usage-table', 'thead')).toEqual([
        ['User', 'Requests', 'Prompt tokens', 'Completion tokens', 'Cost'],
      ]);
      expect(rowsOf('usage-table')).toEqual([
        ['proxy:ada', '10', '100', '1,500', '$1.50'],
        ['proxy:bob', '2', '20', '40', '$0.25'],
      ]);
      expect(rowsOf('usage-table', 'tfoot')).toEqual([['Total', '12', '120', '1,540', '$1.75']]);
    });

    it('draws cost per day over every day of the period, and says it in words', async () => {
      await open();

      const bars = allByTestId('cost-bar');
      expect(bars.map((bar) => text(bar.querySelector('title')))).toEqual([
        '2026-12-02: $0.50',
        '2026-12-05: $1.25',
      ]);
      expect(bars.map((bar) => Number(bar.getAttribute('height')))).toEqual([40, 100]);
      expect(text(byTestId('cost-chart-summary'))).toBe(
        '$1.75 in all from 2026-12-01 to 2026-12-31. The most was $1.25, on 2026-12-05.',
      );
      const svg = byTestId('cost-chart').querySelector('svg') as SVGElement;
      expect(svg.getAttribute('role')).toBe('img');
      expect(svg.getAttribute('aria-labelledby')).toBe('cost-chart-caption cost-chart-summary');
      const days = rowsOf('cost-per-day-table');
      expect(days).toHaveLength(31);
      expect(days[4]).toEqual(['2026-12-05', '$1.25']);
      expect(days[0]).toEqual(['2026-12-01', '$0.00']);
    });

    it('totals by what is chosen, over the period chosen', async () => {
      await open();
      fill('usage-from', '2026-11-15');
      fill('usage-to', '2026-11-30');
      fill('usage-group-by', 'model');

      await click(byTestId('show-usage'));

      expect(
        server
          .requestsTo('GET', '/api/admin/usage')
          .slice(2)
          .map((r) => r.path),
      ).toEqual([
        '/api/admin/usage?from=2026-11-15&to=2026-12-01&groupBy=model',
        '/api/admin/usage?from=2026-11-15&to=2026-12-01&groupBy=day',
      ]);
      expect(rowsOf('usage-table', 'thead')[0][0]).toBe('Model');
      expect(rowsOf('usage-table')).toEqual([['demo', '12', '0', '0', '$1.75']]);
      expect(rowsOf('cost-per-day-table')).toHaveLength(16);
    });

    it('names each key by its name and prefix, where its rows give its id', async () => {
      await open();
      fill('key-name', 'reports');
      await click(byTestId('make-key'));
      const made = server.keys[0];
      server.usage.key = [
        row({ key: made.id, requests: 3, costUsd: 0.3 }),
        row({ key: 'file-key', requests: 1, costUsd: 0.1 }),
      ];
      fill('usage-group-by', 'key');

      await click(byTestId('show-usage'));

      expect(rowsOf('usage-table').map((cells) => cells[0])).toEqual([
        `reports (${made.prefix}…)`,
        'file-key',
      ]);
    });

    it('refuses a period that runs backwards, asking nothing', async () => {
      await open();
      fill('usage-from', '2026-12-10');
      fill('usage-to', '2026-12-01');

      await click(byTestId('show-usage'));

      expect(text(byTestId('usage-error'))).toContain('The first day must not be after the last.');
      expect(server.requestsTo('GET', '/api/admin/usage')).toHaveLength(2);
    });

    it('shows the api’s error instead of a blank', async () => {
      server.failing.set('GET /api/admin/usage', {
        status: 400,
        code: 'invalid_request',
        message: 'Invalid request: from must be before to',
      });
      await open();

      expect(text(byTestId('usage-error'))).toBe(
        'The usage could not be loaded: Invalid request: from must be before to',
      );
    });
  });

  describe('budgets', () => {
    it('lists every budget with what was spent against it', async () => {
      server.budgets = [
        { kind: 'group', id: 'ml', usd: 100, period: 'month', spentUsd: 25 },
        { kind: 'key', id: 'k-1', usd: 5, period: 'day', spentUsd: 5 },
      ];
      await open();

      expect(rowsOf('budgets-table')).toEqual([
        ['group', 'ml', 'Per month', '$25.00', '$100.00', '25%', 'Remove'],
        ['key', 'k-1', 'Per day', '$5.00', '$5.00', '100%', 'Set with the key'],
      ]);
    });

    it('sets a group’s budget and lists it', async () => {
      await open();
      fill('budget-kind', 'group');
      fill('budget-id', 'ml');
      fill('budget-usd', '40');
      fill('budget-period', 'day');

      await click(byTestId('set-budget'));

      expect(server.requestsTo('PUT', '/api/admin/budgets/group/ml').map((r) => r.body)).toEqual([
        { usd: 40, period: 'day' },
      ]);
      expect(text(byTestId('budget-status'))).toBe('The budget of group ml is set.');
      expect(rowsOf('budgets-table')).toEqual([
        ['group', 'ml', 'Per day', '$0.00', '$40.00', '0%', 'Remove'],
      ]);
    });

    it('removes a user’s budget once confirmed', async () => {
      server.budgets = [{ kind: 'user', id: 'proxy:bob', usd: 10, period: 'month', spentUsd: 1 }];
      await open();

      await click(byTestId('remove-budget'));
      await click(byTestId('confirm'));

      expect(server.requestsTo('DELETE', '/api/admin/budgets/user/proxy%3Abob')).toHaveLength(1);
      expect(text(byTestId('budget-status'))).toBe('The budget of user proxy:bob is removed.');
      expect(text(byTestId('budgets-table'))).toContain('No budget is set.');
    });

    it('shows the api’s error when the budgets cannot be had', async () => {
      server.failing.set('GET /api/admin/budgets', {
        status: 500,
        code: 'internal_error',
        message: 'Something failed inside the api.',
      });
      await open();

      expect(text(byTestId('budgets-error'))).toContain('Something failed inside the api.');
    });
  });

  describe('audit trail', () => {
    it('lists the events of the period, newest first, and the new ones as keys are made', async () => {
      server.audit = [
        {
          at: '2026-12-06T08:09:10.000Z',
          actor: 'anonymous',
          action: 'auth.failures',
          target: '203.0.113.9',
          detail: { count: 7 },
        },
      ];
      await open();
      expect(rowsOf('audit-table')).toEqual([
        ['2026-12-06 08:09:10', 'anonymous', 'auth.failures', '203.0.113.9', 'count: 7'],
      ]);

      fill('key-name', 'reports');
      await click(byTestId('make-key'));

      expect(rowsOf('audit-table').map((cells) => cells[2])).toEqual([
        'key.created',
        'auth.failures',
      ]);
    });

    it('shows the new events as budgets are set and removed', async () => {
      await open();
      expect(text(byTestId('audit-table'))).not.toContain('budget.');

      fill('budget-kind', 'user');
      fill('budget-id', 'proxy:bob');
      fill('budget-usd', '10');
      await click(byTestId('set-budget'));
      expect(rowsOf('audit-table').map((cells) => cells.slice(2, 4))).toEqual([
        ['budget.set', 'user:proxy:bob'],
      ]);

      await click(byTestId('remove-budget'));
      await click(byTestId('confirm'));
      expect(rowsOf('audit-table').map((cells) => cells.slice(2, 4))).toEqual([
        ['budget.removed', 'user:proxy:bob'],
        ['budget.set', 'user:proxy:bob'],
      ]);
    });
  });
});
