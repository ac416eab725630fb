import { startApi, writeKeysFile, type ApiProcess } from '@tokenstream/e2e-support';
import {
  ApiPaths,
  type BudgetList,
  type UsageGroupBy,
  type UsageReport,
} from '@tokenstream/stream-contracts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { seriousViolations } from './support/axe';
import { launchChromium } from './support/chromium';
import { waitUntil } from './support/wait-until';

/** The SSO proxy's identity headers, as oauth2-proxy sets them: ada is an admin, bob is not. */
const ADA = {
  'x-auth-request-user': 'ada',
  'x-auth-request-email': 'ada@example.com',
  'x-auth-request-groups': 'platform',
};
const BOB = {
  'x-auth-request-user': 'bob',
  'x-auth-request-email': 'bob@example.com',
  'x-auth-request-groups': 'ml',
};

/** The text of every element `testId` names, as rendered (a row's cells apart), spaces folded. */
function textsOf(page: Page, testId: string): Promise<string[]> {
  return page
    .getByTestId(testId)
    .evaluateAll((elements) =>
      elements.map((e) => (e as HTMLElement).innerText.replace(/\s+/g, ' ').trim()),
    );
}

/** Waits until some element `testId` names shows `text`; fails with what it showed. */
function waitForText(page: Page, testId: string, text: string | RegExp): Promise<string> {
  let seen: string[] = [];
  return waitUntil(
    async () => {
      seen = await textsOf(page, testId);
      return seen.find((t) => (typeof text === 'string' ? t.includes(text) : text.test(t)));
    },
    {
      what: `${testId} to show ${String(text)}`,
      timeoutMs: 10_000,
      seen: () => JSON.stringify(seen),
    },
  );
}

describe('the admin page in Chromium, against the built api', () => {
  let dataDir: string;
  let api: ApiProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];

  /** `GET /api/me` with a bearer key, as a service would use it: the status. */
  const meWith = async (key: string) =>
    (await fetch(api.url + ApiPaths.me, { headers: { authorization: `Bearer ${key}` } })).status;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tokenstream-web-e2e-admin-'));
    api = await startApi(
      {
        AUTH_MODE: 'proxy,apikey',
        TRUSTED_PROXY_CIDRS: '127.0.0.1/32,::1/128',
        // `apikey` (so a made key can be used) needs a keys file; the keys tested are made here.
        API_KEYS_FILE: writeKeysFile([{ name: 'svc', key: 'tsk_svc_0123456789abcdef' }]),
        ADMIN_GROUPS: 'platform',
        DATABASE_DIR: dataDir,
      },
      { webApp: true },
    );
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A browser tab behind the proxy as `identity`, in `colorScheme`. */
  async function openAs(
    identity: Record<string, string>,
    path: string,
    colorScheme: 'light' | 'dark' = 'light',
  ): Promise<void> {
    // axe-core is put into the page by the test, past the api's Content-Security-Policy.
    context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      bypassCSP: true,
      colorScheme,
    });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: api.url });
    await context.setExtraHTTPHeaders(identity);
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(api.url + path, { timeout: 15_000 });
  }

  /** Waits for the admin page to have checked who this is and loaded its keys and audit trail. */
  async function adminPageReady(): Promise<void> {
    await page.getByTestId('keys-table').waitFor({ state: 'visible', timeout: 15_000 });
    await page.getByTestId('audit-table').waitFor({ state: 'visible', timeout: 10_000 });
  }

  /** Makes a key with the form, as an admin would. */
  async function makeKey(name: string, groups: string): Promise<void> {
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Groups').fill(groups);
    await page.getByLabel('Models').fill('demo');
    await page.getByTestId('make-key').click();
  }

  beforeEach(() => {
    pageErrors = [];
  });

  afterEach(async () => {
    await context?.close();
    expect(pageErrors).toEqual([]);
  });

  it('links an admin from the chat to the admin page, whose four sections are there', async () => {
    await openAs(ADA, '/');
    await page.getByTestId('signed-in-user').waitFor({ state: 'visible', timeout: 15_000 });

    await page.getByRole('link', { name: 'Admin', exact: true }).click({ timeout: 5_000 });
    await page.waitForURL(`${api.url}/admin`, { timeout: 5_000 });
    await adminPageReady();

    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Administration');
    expect(await page.getByRole('heading', { level: 2 }).allTextContents()).toEqual([
      'API keys',
      'Usage',
      'Budgets',
      'Audit trail',
    ]);
    expect(await page.title()).toBe('Administration · tokenstream');
    // Focus is on the page's heading, where a screen reader starts.
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');

    await page.getByTestId('back-to-chat').click();
    await page.getByTestId('composer').waitFor({ state: 'visible', timeout: 5_000 });
    expect(new URL(page.url()).pathname).toBe('/');
  });

  it('makes a key, shows its secret once with Copy, and the key works', async () => {
    await openAs(ADA, '/admin');
    await adminPageReady();

    await makeKey('reports', 'ml, analytics');

    const panel = page.getByTestId('new-key-panel');
    await panel.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await panel.getByRole('heading').textContent()).toContain('Key reports is made');
    expect(await page.getByTestId('new-key-warning').textContent()).toContain(
      'This is the only time the secret is shown',
    );
    const secret = await page.getByTestId('new-key-secret').inputValue();
    expect(secret).toMatch(/^sk-ts-[\w-]{43}$/);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(
      'new-key-panel',
    );

    await page.getByRole('button', { name: 'Copy' }).click();
    await waitForText(page, 'copy-status', 'Copied to the clipboard.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

    // It is a real key: a service can use it at once.
    expect(await meWith(secret)).toBe(200);

    const row = page.getByTestId('key-row').filter({ hasText: 'reports' });
    const cells = await row.locator('th, td').allTextContents();
    expect(cells.slice(0, 3).map((c) => c.trim())).toEqual([
      'reports',
      `${secret.slice(0, 12)}…`,
      'ml, analytics',
    ]);
    expect(cells[4].trim()).toBe('Never'); // last used: the list is written in batches
    await waitForText(page, 'audit-row', /key\.created.*name: reports/);

    await page.getByTestId('dismiss-key').click();
    await page.getByTestId('new-key-panel').waitFor({ state: 'detached', timeout: 5_000 });
    expect(await page.content()).not.toContain(secret);
    await page.reload();
    await adminPageReady();
    expect(await page.content()).not.toContain(secret);
  });

  it('revokes a key once confirmed: it stops working, and the audit trail says so', async () => {
    await openAs(ADA, '/admin');
    await adminPageReady();
    await makeKey('nightly', 'ml');
    const secret = await page.getByTestId('new-key-secret').inputValue({ timeout: 10_000 });
    await page.getByTestId('dismiss-key').click();
    expect(await meWith(secret)).toBe(200);

    const row = page.getByTestId('key-row').filter({ hasText: 'nightly' });
    await row.getByRole('button', { name: 'Revoke key nightly' }).click();
    // Nothing happens until it is confirmed; Cancel puts things back.
    await row.getByRole('button', { name: 'Cancel' }).click();
    expect(await meWith(secret)).toBe(200);
    await row.getByRole('button', { name: 'Revoke key nightly' }).click();
    const confirm = row.getByRole('button', { name: 'Yes, revoke' });
    expect(await confirm.evaluate((button) => button === document.activeElement)).toBe(true);
    await confirm.click();

    await waitForText(page, 'revoke-status', 'Key nightly is revoked.');
    await row
      .getByRole('button', { name: /Revoke/ })
      .waitFor({ state: 'detached', timeout: 5_000 });
    expect((await row.locator('td').nth(5).textContent())?.trim()).toMatch(
      /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/,
    );
    // Refused within a second, on every instance.
    await waitUntil(async () => (await meWith(secret)) === 401, {
      what: 'the revoked key to be refused',
      timeoutMs: 3_000,
    });
    await waitForText(page, 'audit-row', /proxy:ada key\.revoked/);
  });

  it('shows the api’s reasons when it refuses a key', async () => {
    await openAs(ADA, '/admin');
    await adminPageReady();

    await makeKey('not a name!', '');

    const error = await waitForText(page, 'key-form-error', 'name');
    expect(error).toContain('expected 1 to 64 letters, digits, ".", "_" or "-"');
    expect(await page.getByTestId('new-key-panel').count()).toBe(0);
  });

  it('axe finds no serious or critical violation on the admin page, light or dark', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      await openAs(ADA, '/admin', scheme);
      await adminPageReady();
      expect(await seriousViolations(page)).toEqual([]);

      // With the secret shown, and a revoke being confirmed.
      await makeKey(`axe-${scheme}`, 'ml');
      await page.getByTestId('new-key-panel').waitFor({ state: 'visible', timeout: 10_000 });
      await page
        .getByTestId('key-row')
        .filter({ hasText: `axe-${scheme}` })
        .getByRole('button', { name: /^Revoke/ })
        .click();
      await page.getByRole('button', { name: 'Yes, revoke' }).waitFor({ timeout: 5_000 });
      expect(await seriousViolations(page)).toEqual([]);
      await context.close();
    }
  });

  it('draws usage, its chart of cost per day and budgets axe-clean, light and dark (the routes answered in the browser, as the contract types them, until they land)', async () => {
    const usage: Partial<Record<UsageGroupBy, UsageReport>> = {
      user: {
        rows: [
          {
            user: 'proxy:ada',
            requests: 12,
            promptTokens: 900,
            completionTokens: 4200,
            costUsd: 1.5,
          },
        ],
      },
      day: {
        rows: [
          {
            day: '2026-12-02',
            requests: 4,
            promptTokens: 300,
            completionTokens: 1400,
            costUsd: 0.5,
          },
          { day: '2026-12-05', requests: 8, promptTokens: 600, completionTokens: 2800, costUsd: 1 },
        ],
      },
    };
    const budgets: BudgetList = {
      budgets: [{ kind: 'group', id: 'ml', usd: 100, period: 'month', spentUsd: 25 }],
    };
    for (const scheme of ['light', 'dark'] as const) {
      await openAs(ADA, '/', scheme);
      await page.route(`**${ApiPaths.adminUsage}?*`, (route) => {
        const groupBy = new URL(route.request().url()).searchParams.get('groupBy') as UsageGroupBy;
        return route.fulfill({ json: usage[groupBy] ?? { rows: [] } });
      });
      await page.route(`**${ApiPaths.adminBudgets}`, (route) => route.fulfill({ json: budgets }));
      await page.goto(`${api.url}/admin`, { timeout: 15_000 });
      await adminPageReady();
      await page.getByTestId('cost-chart-summary').waitFor({ state: 'visible', timeout: 10_000 });

      expect(await textsOf(page, 'usage-row')).toEqual(['proxy:ada 12 900 4,200 $1.50']);
      expect(await page.getByTestId('cost-bar').count()).toBe(2);
      expect(await page.getByRole('img').getAttribute('aria-labelledby')).toBe(
        'cost-chart-caption cost-chart-summary',
      );
      expect(await textsOf(page, 'budget-row')).toEqual([
        'group ml Per month $25.00 $100.00 25% Remove',
      ]);
      await page.getByText('Cost per day as a table').click();
      expect(await seriousViolations(page)).toEqual([]);
      await context.close();
    }
  });

  it('shows no admin link to anyone else, and tells them /admin is for admins only', async () => {
    await openAs(BOB, '/');
    await page
      .getByTestId('signed-in-user')
      .filter({ hasText: 'bob' })
      .waitFor({ state: 'visible', timeout: 15_000 });
    expect(await page.getByTestId('admin-link').count()).toBe(0);

    const adminRequests: string[] = [];
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (path.startsWith('/api/admin/')) adminRequests.push(path);
    });
    await page.goto(`${api.url}/admin`, { timeout: 15_000 });

    const notice = page.getByTestId('admins-only');
    await notice.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await notice.textContent()).toContain('Admins only.');
    expect(await notice.getAttribute('role')).toBe('alert');
    expect(await page.getByRole('heading', { level: 2 }).count()).toBe(0);
    expect(adminRequests).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'go back to the chat' }).click();
    await page.getByTestId('composer').waitFor({ state: 'visible', timeout: 5_000 });
  });
});
