import { startChatApp, type ChatApp } from './support/chat-app';
import { waitUntil } from './support/wait-until';

const REPLY = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');

/**
 * How long the api keeps generating for a reader that left (a reload comes back within it). Short
 * here so the test sees the abort soon, long enough to see that closing alone did not stop it.
 */
const RESUME_GRACE_MS = 1_500;

describe('the chat in Chromium, against an OpenAI-compatible upstream', () => {
  let app: ChatApp;

  beforeAll(async () => {
    app = await startChatApp(
      { reply: REPLY, chunks: 60, chunkDelayMs: 100 },
      { STREAM_RESUME_GRACE_MS: String(RESUME_GRACE_MS) },
    );
  }, 60_000);

  afterAll(() => app?.close());

  it('streams the upstream reply; closing the page mid-reply aborts the upstream once the resume grace ends', async () => {
    const page = await app.browser.newPage();
    const deletes: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'DELETE') deletes.push(request.url());
    });
    await page.goto(app.api.url, { timeout: 15_000 });
    const composer = page.getByTestId('composer');
    await composer.fill('Count for me', { timeout: 5_000 });
    await composer.press('Enter', { timeout: 5_000 });
    const reply = page.getByTestId('assistant-text').last();
    let text = '';
    await waitUntil(
      async () => {
        text = (await reply.textContent()) ?? '';
        return text.startsWith('word0 word1 word2');
      },
      // The first turn waits for the api's embedded database to open (its first start makes its
      // files: seconds of CPU on two cores shared with Chromium).
      { what: 'the upstream text to appear', timeoutMs: 30_000, seen: () => JSON.stringify(text) },
    );
    expect(app.mock.stats().streamsStarted).toBe(1);

    await page.close();
    const closedAt = Date.now();

    // Closing a tab is not Stop: the page sends no DELETE (a reload must be able to resume), so
    // the upstream runs on through the grace period, then the api gives up on the reader.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(app.mock.stats().streamsAborted).toBe(0);
    const stats = await app.mock.waitFor((s) => s.streamsAborted === 1, RESUME_GRACE_MS + 5_000);
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(RESUME_GRACE_MS - 100);
    expect(stats.streamsCompleted).toBe(0);
    expect(deletes).toEqual([]);
  });
});
