import { startApi, type ApiProcess } from '@tokenstream/e2e-support';
import { startMockOpenAi, type MockOpenAi } from '@tokenstream/mock-openai';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium';

/** What a browser test of a reply runs against: a fake upstream, the built api and Chromium. */
export interface ChatApp {
  mock: MockOpenAi;
  /** The built api, in front of `mock`, serving the built web app. */
  api: ApiProcess;
  browser: Browser;
  /** Closes the browser, stops the api and closes the upstream. */
  close(): Promise<void>;
}

/** Starts the fake upstream with `reply`, the api answering with it (plus `env`), and Chromium. */
export async function startChatApp(
  reply: Parameters<typeof startMockOpenAi>[0],
  env: Record<string, string> = {},
): Promise<ChatApp> {
  const mock = await startMockOpenAi(reply);
  let api: ApiProcess | undefined;
  let browser: Browser;
  try {
    api = await startApi(
      { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: mock.url, ...env },
      { webApp: true },
    );
    browser = await launchChromium();
  } catch (error) {
    // What did start is stopped, so a failed start leaks no process or port.
    await api?.stop();
    await mock.close();
    throw error;
  }
  return {
    mock,
    api,
    browser,
    close: async () => {
      await browser.close();
      await api.stop();
      await mock.close();
    },
  };
}
