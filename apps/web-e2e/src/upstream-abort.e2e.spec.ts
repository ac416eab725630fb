import { startMockOpenAi, type MockOpenAi } from '@tokenstream/mock-openai';
import type { Browser } from 'playwright-core';
import { startBuiltApi, type BuiltApi } from './support/built-api';
import { launchChromium } from './support/chromium';
import { waitUntil } from './support/wait-until';

const REPLY = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');

describe('the chat in Chromium, against an OpenAI-compatible upstream', () => {
  let mock: MockOpenAi;
  let api: BuiltApi;
  let browser: Browser;

  beforeAll(async () => {
    mock = await startMockOpenAi({ reply: REPLY, chunks: 60, chunkDelayMs: 100 });
    api = await startBuiltApi({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: mock.url });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    await mock?.close();
  });

  it('streams the upstream reply, and closing the page mid-reply aborts the upstream request', async () => {
    const page = await browser.newPage();
    await page.goto(api.url, { timeout: 15_000 });
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
      { what: 'the upstream text to appear', timeoutMs: 10_000, seen: () => JSON.stringify(text) },
    );
    expect(mock.stats().streamsStarted).toBe(1);

    await page.close();

    const stats = await mock.waitFor((s) => s.streamsAborted === 1, 5_000);
    expect(stats.streamsCompleted).toBe(0);
  });
});
