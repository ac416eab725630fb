import { startChatApp, type ChatApp } from './support/chat-app';
import { send } from './support/chat-page';

const THINKING = 'The user asks for a greeting, so a short one will do.';
const REPLY = 'Hello there, and welcome.';

describe('a reasoning model in Chromium', () => {
  let app: ChatApp;

  beforeAll(async () => {
    app = await startChatApp({ reply: REPLY, reasoning: THINKING, chunks: 8, chunkDelayMs: 40 });
  }, 60_000);

  afterAll(() => app?.close());

  it('shows its thinking collapsed above the answer, open on request, and still there after a reload', async () => {
    const page = await app.browser.newPage();
    await page.goto(app.api.url, { timeout: 15_000 });
    await send(page, 'Greet me');

    // The first turn waits for the embedded database's first start: seconds of CPU here.
    const reply = page.locator('[data-testid="assistant-message"][data-state="done"]');
    await reply.waitFor({ timeout: 30_000 });
    const thinking = reply.getByTestId('thinking');
    await expect(thinking.evaluate((details: HTMLDetailsElement) => details.open)).resolves.toBe(
      false,
    );
    await expect(thinking.locator('summary').textContent()).resolves.toContain('Thinking');
    await expect(reply.getByTestId('assistant-text').textContent()).resolves.toBe(REPLY);

    await thinking.locator('summary').click();
    await expect(reply.getByTestId('thinking-text').textContent()).resolves.toBe(THINKING);

    await page.reload();
    const kept = page.getByTestId('assistant-message').last();
    await kept.getByTestId('thinking').waitFor({ timeout: 15_000 });
    await kept.getByTestId('thinking').locator('summary').click();
    await expect(kept.getByTestId('thinking-text').textContent()).resolves.toBe(THINKING);
    await expect(kept.getByTestId('assistant-text').textContent()).resolves.toBe(REPLY);
    await page.close();
  });
});
