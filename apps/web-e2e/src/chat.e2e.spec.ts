import { startApi, type ApiProcess } from '@tokenstream/e2e-support';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { readReply, summarize, type Reply } from './support/chat-page';
import { launchChromium } from './support/chromium';
import { check, waitUntil } from './support/wait-until';

/** Milliseconds per demo token: slow enough to watch the reply grow, fast enough for a test. */
const DEMO_TOKEN_DELAY_MS = '40';

/** Set to a file path to save a screenshot of the chat mid-reply (e.g. /tmp/web-mid-reply.png). */
const SCREENSHOT_PATH = process.env['WEB_E2E_SCREENSHOT'];

describe('the chat in Chromium, against the built api on the demo model', () => {
  let api: ApiProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    api = await startApi({ DEMO_TOKEN_DELAY_MS }, { webApp: true });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
  });

  beforeEach(async () => {
    pageErrors = [];
    context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(api.url, { timeout: 15_000 });
    await page.getByTestId('composer').waitFor({ state: 'visible', timeout: 15_000 });
  });

  afterEach(async () => {
    await context?.close();
    expect(pageErrors).toEqual([]);
  });

  async function send(prompt: string): Promise<void> {
    const composer = page.getByTestId('composer');
    await composer.fill(prompt, { timeout: 5_000 });
    await composer.press('Enter', { timeout: 5_000 });
  }

  it('shows the reply growing piece by piece, then the whole demo reply', async () => {
    await page.getByTestId('demo-badge').waitFor({ state: 'visible', timeout: 5_000 });

    await send('Hello from the browser test');

    const samples: Reply[] = [];
    let screenshotTaken = !SCREENSHOT_PATH;
    const final = await waitUntil(
      async () => {
        const reply = await readReply(page);
        samples.push(reply);
        if (!screenshotTaken && reply.state === 'streaming' && reply.text.length > 420) {
          screenshotTaken = true;
          await page.screenshot({ path: SCREENSHOT_PATH });
        }
        return reply.state !== null && reply.state !== 'streaming' && reply;
      },
      {
        what: 'the reply to finish streaming',
        timeoutMs: 30_000,
        intervalMs: 50,
        seen: () => summarize(samples),
      },
    );

    const streamedLengths = [
      ...new Set(
        samples.filter((s) => s.state === 'streaming' && s.text).map((s) => s.text.length),
      ),
    ];
    check(
      streamedLengths.length >= 3,
      () => `expected at least 3 distinct lengths while streaming; ${summarize(samples)}`,
    );
    check(
      streamedLengths.every((length, i) => i === 0 || length > streamedLengths[i - 1]),
      () => `expected the text only to grow; lengths: ${streamedLengths.join(', ')}`,
    );
    expect(final.state).toBe('done');
    expect(final.text.trim()).not.toBe('');
    expect(final.text.toLowerCase()).toContain('demo');
    expect(final.text.length).toBeGreaterThanOrEqual(streamedLengths.at(-1) ?? 0);
    expect(await page.getByTestId('user-message').last().textContent()).toBe(
      'Hello from the browser test',
    );
    expect(await page.getByTestId('composer').isEnabled()).toBe(true);
  });

  it('Stop ends the reply: its text stays as it was, marked Stopped, and the chat goes on', async () => {
    await send('Please write a long answer');
    const samples: Reply[] = [];
    await waitUntil(
      async () => {
        const reply = await readReply(page);
        samples.push(reply);
        return reply.state === 'streaming' && reply.text.length > 40;
      },
      {
        what: 'text to stream in',
        timeoutMs: 15_000,
        intervalMs: 50,
        seen: () => summarize(samples),
      },
    );

    await page.getByTestId('stop').click({ timeout: 5_000 });

    const stopped = await waitUntil(
      async () => {
        const reply = await readReply(page);
        samples.push(reply);
        return reply.state === 'stopped' && reply;
      },
      { what: 'the reply to show as stopped', timeoutMs: 5_000, seen: () => summarize(samples) },
    );
    const after: string[] = [];
    for (let i = 0; i < 10; i++) {
      await page.waitForTimeout(100);
      after.push((await readReply(page)).text);
    }
    check(
      after.every((text) => text === stopped.text),
      () => `the text changed after Stop: ${after.map((text) => text.length).join(', ')}`,
    );
    expect(stopped.text.length).toBeGreaterThan(40);
    expect(await page.getByTestId('status').last().textContent()).toContain('Stopped');

    const composer = page.getByTestId('composer');
    expect(await composer.isEnabled()).toBe(true);
    await send('And once more');
    const next = await waitUntil(
      async () => {
        const reply = await readReply(page);
        samples.push(reply);
        return reply.count === 2 && reply.state === 'done' && reply;
      },
      { what: 'a second reply to finish', timeoutMs: 30_000, seen: () => summarize(samples) },
    );
    expect(next.text.toLowerCase()).toContain('demo');
    expect(await page.getByTestId('user-message').count()).toBe(2);
  });
});
