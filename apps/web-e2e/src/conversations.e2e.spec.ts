import { startApi, type ApiProcess } from '@tokenstream/e2e-support';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  readReply,
  send,
  shownConversation,
  summarize,
  waitForTexts,
  type Reply,
} from './support/chat-page';
import { startChatApp, type ChatApp } from './support/chat-app';
import { seriousViolations } from './support/axe';
import { launchChromium } from './support/chromium';
import { check, waitUntil } from './support/wait-until';

/** Fast enough for a test, slow enough that a second tab joins a reply still streaming. */
const DEMO_TOKEN_DELAY_MS = '30';

/** Waits until the last reply on `page` leaves `streaming`; fails with what was seen. */
function waitForEnd(page: Page, timeoutMs = 30_000): Promise<Reply> {
  const samples: Reply[] = [];
  return waitUntil(
    async () => {
      const reply = await readReply(page);
      samples.push(reply);
      return reply.state !== 'streaming' && reply.state !== null && reply;
    },
    { what: 'the reply to end', timeoutMs, intervalMs: 50, seen: () => summarize(samples) },
  );
}

async function openChat(context: BrowserContext, url: string, errors: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url, { timeout: 15_000 });
  await page.getByTestId('composer').waitFor({ state: 'visible', timeout: 15_000 });
  return page;
}

describe('kept conversations in Chromium, against the built api', () => {
  let dataDir: string;
  let api: ApiProcess;
  let browser: Browser;
  let context: BrowserContext;
  let pageErrors: string[];

  const startKeptApi = () =>
    startApi({ DEMO_TOKEN_DELAY_MS, DATABASE_DIR: dataDir }, { webApp: true });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tokenstream-web-e2e-db-'));
    api = await startKeptApi();
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    pageErrors = [];
    context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  });

  afterEach(async () => {
    await context?.close();
    expect(pageErrors).toEqual([]);
  });

  it('a conversation survives closing the browser and restarting the api', async () => {
    const page = await openChat(context, api.url, pageErrors);
    const prompt = 'Remember this conversation after a restart';
    await send(page, prompt);
    const done = await waitForEnd(page);
    expect(done.state).toBe('done');
    const id = shownConversation(page);
    expect(id).toBeDefined();

    // The browser goes (and with it every tab's state), then the api restarts.
    await context.close();
    await browser.close();
    await api.stop();
    api = await startKeptApi();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1200, height: 800 } });

    const again = await openChat(context, api.url, pageErrors);
    const item = again.getByTestId('open-conversation').filter({ hasText: prompt });
    await item.waitFor({ state: 'visible', timeout: 15_000 });
    await item.click();
    const reply = await waitForEnd(again);
    expect(shownConversation(again)).toBe(id);
    expect(await again.getByTestId('user-message').allTextContents()).toEqual([prompt]);
    expect(reply).toMatchObject({ state: 'done', text: done.text });
  }, 90_000);

  it('two tabs show the same live reply, the second joining it mid-stream', async () => {
    const first = await openChat(context, api.url, pageErrors);
    await send(first, 'Show this reply in two tabs at once');
    const early = await waitUntil(
      async () => {
        const reply = await readReply(first);
        return reply.state === 'streaming' && reply.text.length > 30 && shownConversation(first);
      },
      { what: 'the reply to start streaming with its conversation named', timeoutMs: 15_000 },
    );

    const second = await openChat(context, `${api.url}/?c=${early}`, pageErrors);
    const joined = await waitUntil(
      async () => {
        const reply = await readReply(second);
        return reply.count > 0 && reply;
      },
      { what: 'the second tab to show the reply', timeoutMs: 10_000 },
    );
    expect(joined.state).toBe('streaming');
    const [one, two] = await Promise.all([waitForEnd(first), waitForEnd(second)]);
    expect(one.state).toBe('done');
    expect(two).toMatchObject({ state: 'done', text: one.text });
  });

  it('regenerate and edit make branches that survive a reload', async () => {
    const page = await openChat(context, api.url, pageErrors);
    await send(page, 'First question');
    await waitForEnd(page);

    // Regenerate: a second reply beside the first.
    await page.getByTestId('regenerate').click();
    await waitUntil(async () => (await readReply(page)).state === 'streaming' || undefined, {
      what: 'the second reply to start',
      timeoutMs: 5_000,
    }).catch(() => undefined);
    await waitForEnd(page);
    const replyBranches = page.locator(
      '[data-testid="assistant-message"] [data-testid="branch-position"]',
    );
    await waitForTexts(replyBranches, ['2/2']);

    // Edit: a second question beside the first, with its own reply.
    await page.getByTestId('edit').click();
    const editor = page.getByTestId('edit-text');
    await editor.fill('Second question');
    await editor.press('Enter');
    await waitForEnd(page);
    const questions = page.getByTestId('user-message');
    await waitForTexts(questions, ['Second question']);
    await waitForTexts(page.locator('.turn-user [data-testid="branch-position"]'), ['2/2']);

    // After a reload the same branch shows, and the first one is a click away, with both replies.
    await page.reload();
    await questions.first().waitFor({ timeout: 15_000 });
    await waitForTexts(questions, ['Second question']);
    await page.getByTestId('branch-previous').first().click();
    await waitForTexts(questions, ['First question']);
    await waitForTexts(replyBranches, ['2/2']);
    await page.getByTestId('branch-previous').last().click();
    await waitForTexts(replyBranches, ['1/2']);

    // The branch shown is remembered on the api (the first reply, the oldest assistant message):
    // another reload shows it again.
    const id = shownConversation(page);
    await waitUntil(
      async () => {
        const response = await fetch(`${api.url}/api/conversations/${id}`);
        const { activeLeafId, messages } = (await response.json()) as {
          activeLeafId: string | null;
          messages: { id: string; role: string }[];
        };
        return activeLeafId === messages.find((m) => m.role === 'assistant')?.id;
      },
      { what: 'the api to remember the branch shown', timeoutMs: 5_000 },
    );
    await page.reload();
    await questions.first().waitFor({ timeout: 15_000 });
    await waitForTexts(questions, ['First question']);
    await waitForTexts(replyBranches, ['1/2']);
  });

  it('search finds a conversation by its text; rename and delete (with undo) work from the sidebar', async () => {
    const page = await openChat(context, api.url, pageErrors);
    await send(page, 'A question about zebra crossings');
    await waitForEnd(page);
    const id = shownConversation(page);

    await page.getByTestId('search').fill('zebra');
    const found = page.getByTestId('open-conversation');
    await waitUntil(async () => (await found.count()) === 1 || undefined, {
      what: 'exactly one search hit',
      timeoutMs: 5_000,
    });

    await page.getByTestId('rename').click();
    const input = page.getByTestId('rename-input');
    await input.fill('Zebras');
    await input.press('Enter');
    await waitUntil(async () => (await found.first().textContent())?.trim() === 'Zebras', {
      what: 'the new title in the list',
      timeoutMs: 5_000,
    });

    await page.getByTestId('delete').click();
    await waitForTexts(found, []);
    await page.getByTestId('undo-delete').click();
    await waitForTexts(found, ['Zebras']);
    const kept = await fetch(`${api.url}/api/conversations/${id}`);
    expect(kept.status).toBe(200);
    expect(((await kept.json()) as { title: string }).title).toBe('Zebras');

    await page.getByTestId('delete').click();
    await waitUntil(
      async () => (await fetch(`${api.url}/api/conversations/${id}`)).status === 404 || undefined,
      { what: 'the api to delete the conversation after the undo time', timeoutMs: 10_000 },
    );
  });

  it('a temporary chat is not kept', async () => {
    const page = await openChat(context, api.url, pageErrors);
    await page.getByTestId('temporary-chat').click();
    await send(page, 'Forget me');
    const reply = await waitForEnd(page);
    expect(reply.state).toBe('done');
    expect(shownConversation(page)).toBeUndefined();
    const list = (await (await fetch(`${api.url}/api/conversations?q=Forget`)).json()) as {
      conversations: unknown[];
    };
    expect(list.conversations).toEqual([]);
  });
});

describe('replies rendered as Markdown in Chromium, and the page for screen readers', () => {
  let app: ChatApp;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];

  /** A reply with what models write, and what no reply may do. */
  const REPLY = [
    '## A table',
    '',
    '| Name | Value |',
    '| :--- | ----: |',
    '| alpha | 1 |',
    '| beta | 2 |',
    '',
    'A [safe link](https://example.com/docs) and a [bad one](javascript:window.__pwned=1), ~~struck~~.',
    '',
    '- [x] done',
    '- [ ] to do',
    '',
    '```ts',
    'const answer: number = 42;',
    '```',
    '',
    '<script>window.__pwned = 1</script>',
    '',
    '<img src="http://127.0.0.1:9/pixel.gif" onerror="window.__pwned=1">',
  ].join('\n');

  beforeAll(async () => {
    app = await startChatApp(
      { reply: REPLY, chunks: 40, chunkDelayMs: 10 },
      { DATABASE_DIR: 'memory://' },
    );
  }, 60_000);

  afterAll(() => app?.close());

  beforeEach(async () => {
    pageErrors = [];
    // axe-core is put into the page by the test, past the api's Content-Security-Policy.
    context = await app.browser.newContext({
      viewport: { width: 1200, height: 800 },
      bypassCSP: true,
    });
    page = await openChat(context, app.api.url, pageErrors);
  });

  afterEach(async () => {
    await context?.close();
    expect(pageErrors).toEqual([]);
  });

  it('renders a table, a link and highlighted code; a script, an image and a javascript: link do nothing', async () => {
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await send(page, 'Show me some Markdown');
    const reply = await waitForEnd(page);
    expect(reply.state).toBe('done');

    const text = page.getByTestId('assistant-text');
    expect(await text.locator('table th').allTextContents()).toEqual(['Name', 'Value']);
    expect(await text.locator('table td').allTextContents()).toEqual(['alpha', '1', 'beta', '2']);
    const link = text.locator('a[href="https://example.com/docs"]');
    expect(await link.getAttribute('rel')).toContain('noopener');
    expect(await link.getAttribute('rel')).toContain('noreferrer');
    expect(await text.locator('a[href^="javascript"]').count()).toBe(0);
    expect(await text.locator('del, s').allTextContents()).toEqual(['struck']);
    expect(await text.locator('input[type="checkbox"]').count()).toBe(2);
    // Highlighted: the keyword is its own element, not plain text.
    expect(await text.locator('pre code [class*="hljs-keyword"]').first().textContent()).toBe(
      'const',
    );
    // …by the app's worker, off the page's own thread.
    expect(page.workers().map((worker) => new URL(worker.url()).pathname)).toEqual([
      expect.stringMatching(/^\/worker-\w+\.js$/),
    ]);

    // What no reply may do: run a script, load an image, link to javascript:.
    expect(await text.locator('script, img, iframe').count()).toBe(0);
    expect(await text.textContent()).toContain('<script>window.__pwned = 1</script>');
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    check(
      !requests.some((url) => url.includes('pixel.gif')),
      () => `the page loaded the tracking pixel: ${requests.join(', ')}`,
    );
  });

  it('axe finds no serious or critical violation on the chat page, empty or with a reply', async () => {
    expect(await seriousViolations(page)).toEqual([]);
    await send(page, 'Show me some Markdown');
    await waitForEnd(page);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('the whole flow works from the keyboard', async () => {
    // Type and send with Enter, then move between the reply's actions with Tab alone.
    await page.keyboard.type('Keyboard only');
    await page.keyboard.press('Enter');
    await waitForEnd(page);
    const reachable = new Set<string>();
    for (let i = 0; i < 40; i += 1) {
      await page.keyboard.press('Tab');
      const id = await page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
      if (id) reachable.add(id);
    }
    for (const action of ['new-chat', 'search', 'open-conversation', 'edit', 'regenerate']) {
      expect([...reachable]).toContain(action);
    }
  });
});
