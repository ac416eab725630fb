import { startChatApp, type ChatApp } from './support/chat-app';
import { send } from './support/chat-page';

/** A 60-line TypeScript file: shown in parts of 16 lines, highlighted by the app's worker. */
const LINES = Array.from(
  { length: 60 },
  (_, i) => `export const line${i} = '${'x'.repeat(i % 7)}'; // ${i}`,
);
const CODE = LINES.join('\n');

describe('a long code block in Chromium', () => {
  let app: ChatApp;

  beforeAll(async () => {
    app = await startChatApp({
      reply: `Here it is:\n\n\`\`\`ts\n${CODE}\n\`\`\`\n\nThat is all.`,
      chunks: 120,
      chunkDelayMs: 10,
    });
  }, 60_000);

  afterAll(() => app?.close());

  it('streams in whole, highlighted, one line per line of code: no line lost, doubled or blank', async () => {
    const page = await app.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(app.api.url, { timeout: 15_000 });
    await send(page, 'Write me a file');

    // The first turn waits for the embedded database's first start: seconds of CPU here.
    const reply = page.locator('[data-testid="assistant-message"][data-state="done"]');
    await reply.waitFor({ timeout: 30_000 });
    const code = reply.locator('pre code.hljs');
    // The last answer from the worker may come just after the reply ends.
    await reply.locator('pre code .hljs-comment').nth(59).waitFor({ timeout: 5_000 });

    expect(await code.textContent()).toBe(CODE);
    expect(await reply.locator('pre code .hljs-comment').allTextContents()).toEqual(
      LINES.map((_, i) => `// ${i}`),
    );
    // Laid out as 60 lines: the parts' ends add no empty line between them.
    const { height, lineHeight } = await code.evaluate((element) => ({
      height: element.getBoundingClientRect().height,
      lineHeight: Number.parseFloat(getComputedStyle(element).lineHeight),
    }));
    expect(Math.round(height / lineHeight)).toBe(60);
    expect(errors).toEqual([]);
    await page.close();
  });
});
