import {
  readStream,
  startApi,
  writeKeysFile,
  writeModelsFile,
  type ApiProcess,
} from '@tokenstream/e2e-support';
import { startMockOpenAi, type MockOpenAi } from '@tokenstream/mock-openai';
import {
  ApiPaths,
  EVENT_STREAM_CONTENT_TYPE,
  type BudgetList,
  type CreatedApiKey,
  type FinishFrame,
  type UsageGroupBy,
  type UsageReport,
  type UsageRow,
} from '@tokenstream/stream-contracts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { seriousViolations } from './support/axe';
import { send } from './support/chat-page';
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

/** Callers whose replies the usage and budget tests make, one set per test so none sees another's. */
const proxyUser = (user: string, groups = 'ml') => ({
  'x-auth-request-user': user,
  'x-auth-request-email': `${user}@example.com`,
  'x-auth-request-groups': groups,
});
const CLEO = proxyUser('cleo', 'research');
const DORA = proxyUser('dora');
const EVE = proxyUser('eve');

/** The priced model the fake upstream answers for (it reports usage for every reply). */
const MODEL = 'gpt-test';
/** US dollars per million tokens: high, so that one short reply costs cents a page shows whole. */
const PRICE = { inputPerMillion: 1_000, outputPerMillion: 4_000 };
const costOf = (tokens: { promptTokens: number; completionTokens: number }) =>
  (tokens.promptTokens * PRICE.inputPerMillion + tokens.completionTokens * PRICE.outputPerMillion) /
  1e6;
/** The page shows four decimals of a dollar at most (two significant digits under $0.0001). */
const SHOWN_USD_ROUNDING = 0.00005;

/** `$1,234.5678` as a number. */
const dollars = (text: string) => Number(text.trim().replace(/^\$/, '').replace(/,/g, ''));
/** `1,234` as a number. */
const whole = (text: string) => Number(text.trim().replace(/,/g, ''));

/** The UTC date today, as the api's `day` rows and the chart name it. */
const utcToday = () => new Date().toISOString().slice(0, 10);

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
  let mock: MockOpenAi;
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
    // The fake upstream reports the usage of every reply: ~4 prompt characters a token, and a
    // completion token per chunk.
    mock = await startMockOpenAi({ reply: 'One, two, three.', chunks: 4, chunkDelayMs: 2 });
    api = await startApi(
      {
        AUTH_MODE: 'proxy,apikey',
        TRUSTED_PROXY_CIDRS: '127.0.0.1/32,::1/128',
        // `apikey` (so a made key can be used) needs a keys file; the keys tested are made here.
        API_KEYS_FILE: writeKeysFile([{ name: 'svc', key: 'tsk_svc_0123456789abcdef' }]),
        ADMIN_GROUPS: 'platform',
        DATABASE_DIR: dataDir,
        MODELS_FILE: writeModelsFile(
          JSON.stringify({
            defaultModel: MODEL,
            models: {
              [MODEL]: {
                price: PRICE,
                deployments: [{ name: 'mock', kind: 'openai', baseUrl: mock.url }],
              },
              demo: { deployments: [{ kind: 'demo' }] },
            },
          }),
          'models.json',
        ),
      },
      { webApp: true },
    );
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    await mock?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A whole reply to a first message, sent as `headers` say, read to its `finish`: its usage. */
  async function reply(
    headers: Record<string, string>,
  ): Promise<{ promptTokens: number; completionTokens: number }> {
    const response = await fetch(api.url + ApiPaths.chatStream, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: EVENT_STREAM_CONTENT_TYPE,
        ...headers,
      },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'Count to three, please' }] }),
      signal: AbortSignal.timeout(15_000),
    });
    if (response.status !== 200) {
      throw new Error(`the reply was refused: ${response.status} ${await response.text()}`);
    }
    const { frames } = await readStream(response, { timeoutMs: 15_000 });
    const finish = frames
      .map(({ frame }) => frame)
      .find((frame): frame is FinishFrame => frame.type === 'finish');
    if (!finish?.usage) throw new Error(`the reply reported no usage: ${JSON.stringify(frames)}`);
    return finish.usage;
  }

  /** `GET /api/admin/usage` as ada: the api's own rows, which the page must show. */
  async function usageFromApi(groupBy: UsageGroupBy): Promise<UsageRow[]> {
    const response = await fetch(`${api.url}${ApiPaths.adminUsage}?groupBy=${groupBy}`, {
      headers: ADA,
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) throw new Error(`usage: ${response.status} ${await response.text()}`);
    return ((await response.json()) as UsageReport).rows;
  }

  /** Waits until the api's usage rows (written every 250 ms) show `user` with `requests`. */
  function usageRecorded(user: string, requests: number): Promise<UsageRow> {
    let seen: UsageRow[] = [];
    return waitUntil(
      async () => {
        seen = await usageFromApi('user');
        return seen.find((row) => row.user === user && row.requests === requests);
      },
      {
        what: `the usage of ${user} to count ${requests} requests`,
        timeoutMs: 5_000,
        seen: () => JSON.stringify(seen),
      },
    );
  }

  /** `GET /api/admin/budgets` as ada. */
  async function budgetsFromApi(): Promise<BudgetList> {
    const response = await fetch(api.url + ApiPaths.adminBudgets, {
      headers: ADA,
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) throw new Error(`budgets: ${response.status} ${await response.text()}`);
    return (await response.json()) as BudgetList;
  }

  /** What a reply to `headers`' caller is answered now: the status and the error code, if any. */
  async function replyStatus(headers: Record<string, string>) {
    const response = await fetch(api.url + ApiPaths.chatStream, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'Again' }] }),
      signal: AbortSignal.timeout(15_000),
    });
    const body = await response.text();
    let code: string | undefined;
    try {
      code = response.status === 200 ? undefined : (JSON.parse(body) as { code?: string }).code;
    } catch {
      code = body;
    }
    return { status: response.status, code };
  }

  /** The usage table's rows as the page shows them, each cell as a reader reads it. */
  async function shownUsage() {
    const rows = await page
      .getByTestId('usage-row')
      .evaluateAll((elements) =>
        elements.map((row) =>
          Array.from(row.querySelectorAll('th, td'), (cell) => (cell as HTMLElement).innerText),
        ),
      );
    return rows.map(([label, requests, promptTokens, completionTokens, cost]) => ({
      label: label.trim(),
      requests: whole(requests),
      promptTokens: whole(promptTokens),
      completionTokens: whole(completionTokens),
      cost: cost.trim(),
    }));
  }

  /** Checks that `shown` (a page's row) is `row` (the api's), its cost rounded as the page does. */
  function expectShownAs(
    shown: Awaited<ReturnType<typeof shownUsage>>[number] | undefined,
    row: UsageRow | undefined,
  ): void {
    expect(row).toBeDefined();
    expect(shown).toMatchObject({
      requests: row?.requests,
      promptTokens: row?.promptTokens,
      completionTokens: row?.completionTokens,
    });
    expect(shown?.cost).toMatch(/^\$\d[\d,]*\.\d{2,}$/);
    expect(Math.abs(dollars(shown?.cost ?? '') - (row?.costUsd ?? NaN))).toBeLessThanOrEqual(
      SHOWN_USD_ROUNDING,
    );
  }

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

  it('shows the usage of real replies by user, key and model, their cost at the model’s price, and today’s bar', async () => {
    // Two replies as a user behind the proxy, one as a key made for a service.
    const made = await fetch(api.url + ApiPaths.adminKeys, {
      method: 'POST',
      headers: { ...ADA, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'usage-report', models: [MODEL] }),
      signal: AbortSignal.timeout(5_000),
    });
    expect(made.status).toBe(201);
    const key = (await made.json()) as CreatedApiKey;
    const cleo = [await reply(CLEO), await reply(CLEO)];
    const service = await reply({ authorization: `Bearer ${key.key}` });
    const cleoTokens = {
      promptTokens: cleo[0].promptTokens + cleo[1].promptTokens,
      completionTokens: cleo[0].completionTokens + cleo[1].completionTokens,
    };
    expect(cleoTokens.promptTokens).toBeGreaterThan(0);
    expect(cleoTokens.completionTokens).toBeGreaterThan(0);

    // The api's own rows say what the replies' finish frames said, at the model's price.
    const cleoRow = await usageRecorded('proxy:cleo', 2);
    await usageRecorded('apikey:usage-report', 1);
    expect(cleoRow).toMatchObject(cleoTokens);
    expect(cleoRow.costUsd).toBeGreaterThan(0);
    expect(cleoRow.costUsd).toBeCloseTo(costOf(cleoTokens), 9);

    await openAs(ADA, '/admin');
    await adminPageReady();
    await page.getByTestId('cost-chart-summary').waitFor({ state: 'visible', timeout: 10_000 });

    // By user (the page's first view): the same rows as the api's, the costliest first.
    const byUser = await usageFromApi('user');
    let shown = await shownUsage();
    expect(shown.map((row) => row.label)).toEqual(byUser.map((row) => row.user));
    expectShownAs(
      shown.find((row) => row.label === 'proxy:cleo'),
      byUser.find((row) => row.user === 'proxy:cleo'),
    );
    expectShownAs(
      shown.find((row) => row.label === 'apikey:usage-report'),
      byUser.find((row) => row.user === 'apikey:usage-report'),
    );
    expect(dollars(shown.find((row) => row.label === 'proxy:cleo')?.cost ?? '')).toBeCloseTo(
      costOf(cleoTokens),
      4,
    );
    const costs = shown.map((row) => dollars(row.cost));
    expect(costs).toEqual([...costs].sort((a, b) => b - a));
    const total = (await textsOf(page, 'usage-total'))[0];
    expect(total).toMatch(
      new RegExp(`^Total ${byUser.reduce((sum, row) => sum + row.requests, 0)} `),
    );

    // Today's bar, and the chart's text alternative: its summary and its table.
    const today = utcToday();
    const todayCost = (await usageFromApi('day')).find((row) => row.day === today)?.costUsd ?? 0;
    expect(todayCost).toBeGreaterThan(0);
    const chart = page.getByRole('img');
    expect(await chart.getAttribute('aria-labelledby')).toBe(
      'cost-chart-caption cost-chart-summary',
    );
    const bars = await page
      .getByTestId('cost-bar')
      .evaluateAll((rects) => rects.map((rect) => rect.textContent?.trim() ?? ''));
    expect(bars).toHaveLength(1);
    expect(bars[0]).toMatch(new RegExp(`^${today}: \\$`));
    expect(Math.abs(dollars(bars[0].split(': ')[1]) - todayCost)).toBeLessThanOrEqual(
      SHOWN_USD_ROUNDING,
    );
    const summary = (await textsOf(page, 'cost-chart-summary'))[0];
    expect(summary).toMatch(
      new RegExp(
        `^\\$[\\d.,]+ in all from \\d{4}-\\d{2}-01 to \\d{4}-\\d{2}-\\d{2}\\. The most was \\$[\\d.,]+, on ${today}\\.$`,
      ),
    );
    expect(Math.abs(dollars(summary.split(' ')[0]) - todayCost)).toBeLessThanOrEqual(
      SHOWN_USD_ROUNDING,
    );
    await page.getByText('Cost per day as a table').click();
    const dayRow = page.getByTestId('cost-per-day-table').locator('tr').filter({ hasText: today });
    const dayCells = await dayRow.locator('th, td').allInnerTexts();
    expect(dayCells[0]).toBe(today);
    expect(Math.abs(dollars(dayCells[1]) - todayCost)).toBeLessThanOrEqual(SHOWN_USD_ROUNDING);

    // By model: one row, every reply of the period at the model's price.
    await page.getByTestId('usage-group-by').selectOption('model');
    await page.getByTestId('show-usage').click();
    await waitForText(page, 'usage-table', /Model Requests/);
    const byModel = await usageFromApi('model');
    shown = await shownUsage();
    expect(shown.map((row) => row.label)).toEqual([MODEL]);
    expect(byModel[0].requests).toBeGreaterThanOrEqual(3);
    expectShownAs(shown[0], byModel[0]);
    expect(byModel[0].costUsd).toBeCloseTo(costOf(byModel[0]), 9);

    // By key: the made key, named by its name and prefix rather than its id.
    await page.getByTestId('usage-group-by').selectOption('key');
    await page.getByTestId('show-usage').click();
    await waitForText(page, 'usage-table', /Key Requests/);
    shown = await shownUsage();
    expect(shown.map((row) => row.label)).toEqual([`usage-report (${key.prefix}…)`]);
    expectShownAs(shown[0], {
      ...service,
      requests: 1,
      costUsd: costOf(service),
    });

    // By day: today's row, the chart unchanged.
    await page.getByTestId('usage-group-by').selectOption('day');
    await page.getByTestId('show-usage').click();
    await waitForText(page, 'usage-table', /Day \(UTC\) Requests/);
    shown = await shownUsage();
    expect(shown.map((row) => row.label)).toEqual([today]);
    expect(await page.getByTestId('cost-bar').count()).toBe(1);
  });

  it('sets a user’s budget with the form, shows it spent, refuses that user’s next chat, and removes it', async () => {
    const first = await reply(DORA);
    const spent = (await usageRecorded('proxy:dora', 1)).costUsd;
    expect(spent).toBeCloseTo(costOf(first), 9);
    expect(spent).toBeGreaterThan(0.01);

    await openAs(ADA, '/admin');
    await adminPageReady();
    await page.getByTestId('budgets-table').waitFor({ state: 'visible', timeout: 10_000 });
    await page.getByTestId('budget-kind').selectOption('user');
    await page.getByTestId('budget-id').fill('proxy:dora');
    await page.getByTestId('budget-usd').fill('0.01');
    await page.getByTestId('budget-period').selectOption('month');
    await page.getByTestId('set-budget').click();
    await waitForText(page, 'budget-status', 'The budget of user proxy:dora is set.');

    expect((await budgetsFromApi()).budgets).toContainEqual({
      kind: 'user',
      id: 'proxy:dora',
      usd: 0.01,
      period: 'month',
      spentUsd: spent,
    });
    const row = page.getByTestId('budget-row').filter({ hasText: 'proxy:dora' });
    const cells = (await row.locator('th, td').allInnerTexts()).map((cell) => cell.trim());
    expect(cells.slice(0, 3)).toEqual(['user', 'proxy:dora', 'Per month']);
    expect(Math.abs(dollars(cells[3]) - spent)).toBeLessThanOrEqual(SHOWN_USD_ROUNDING);
    expect(cells.slice(4, 6)).toEqual(['$0.01', `${Math.round((spent / 0.01) * 100)}%`]);
    expect(await row.getAttribute('class')).toContain('over');
    await waitForText(page, 'audit-row', /proxy:ada budget\.set/);

    // Dora's next chat is refused, with the api's reason.
    const doraContext = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    try {
      await doraContext.setExtraHTTPHeaders(DORA);
      const chat = await doraContext.newPage();
      chat.on('pageerror', (error) => pageErrors.push(error.message));
      await chat.goto(api.url, { timeout: 15_000 });
      await send(chat, 'One more, please');
      // The api's message, as it words it (today "The your budget of …": see the api).
      const error = await waitForText(chat, 'error-message', 'budget');
      expect(error).toMatch(
        /budget of \$0\.01 a month is spent; it renews at the start of the next UTC month\.$/,
      );
    } finally {
      await doraContext.close();
    }
    expect(await replyStatus(DORA)).toEqual({ status: 429, code: 'budget_exceeded' });

    // Removed through the page: Dora may chat again.
    await row.getByRole('button', { name: 'Remove the budget of user proxy:dora' }).click();
    await page.getByRole('button', { name: 'Yes, remove' }).click();
    await waitForText(page, 'budget-status', 'The budget of user proxy:dora is removed.');
    await row.waitFor({ state: 'detached', timeout: 5_000 });
    expect((await budgetsFromApi()).budgets.filter((b) => b.id === 'proxy:dora')).toEqual([]);
    await waitUntil(async () => (await replyStatus(DORA)).status === 200, {
      what: 'dora to be let chat again',
      timeoutMs: 3_000,
    });
    await waitForText(page, 'audit-row', /proxy:ada budget\.removed/);
  });

  it('axe finds no serious or critical violation on real usage, its chart and budgets, light or dark', async () => {
    await reply(EVE);
    await usageRecorded('proxy:eve', 1);
    const put = await fetch(api.url + ApiPaths.adminBudget('user', 'proxy:eve'), {
      method: 'PUT',
      headers: { ...ADA, 'content-type': 'application/json' },
      body: JSON.stringify({ usd: 100, period: 'month' }),
      signal: AbortSignal.timeout(5_000),
    });
    expect(put.status).toBe(200);
    try {
      for (const scheme of ['light', 'dark'] as const) {
        await openAs(ADA, '/admin', scheme);
        await adminPageReady();
        await page.getByTestId('cost-chart-summary').waitFor({ state: 'visible', timeout: 10_000 });
        await waitForText(page, 'usage-row', /^proxy:eve 1 /);
        await waitForText(
          page,
          'budget-row',
          /^user proxy:eve Per month \$0\.\d+ \$100\.00 0% Remove$/,
        );
        expect(await page.getByTestId('cost-bar').count()).toBeGreaterThanOrEqual(1);
        await page.getByText('Cost per day as a table').click();
        expect(await seriousViolations(page)).toEqual([]);
        // With a budget's removal being confirmed.
        await page
          .getByTestId('budget-row')
          .filter({ hasText: 'proxy:eve' })
          .getByRole('button', { name: 'Remove the budget of user proxy:eve' })
          .click();
        await page.getByRole('button', { name: 'Yes, remove' }).waitFor({ timeout: 5_000 });
        expect(await seriousViolations(page)).toEqual([]);
        await context.close();
      }
    } finally {
      await fetch(api.url + ApiPaths.adminBudget('user', 'proxy:eve'), {
        method: 'DELETE',
        headers: ADA,
        signal: AbortSignal.timeout(5_000),
      });
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
