import { readStream, startApi, type ApiProcess } from '@tokenstream/e2e-support';
import {
  ApiPaths,
  EVENT_STREAM_CONTENT_TYPE,
  type ChatRequest,
} from '@tokenstream/stream-contracts';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import {
  keptReplyText,
  readReply,
  send,
  shownConversation,
  summarize,
  type Reply,
} from './support/chat-page';
import { launchChromium } from './support/chromium';
import { textOf } from './support/stream-client';
import { check, waitUntil, within } from './support/wait-until';

/** The SSO proxy's identity headers for alice, as oauth2-proxy would set them. */
const ALICE = { 'x-auth-request-user': 'alice', 'x-auth-request-email': 'alice@example.com' };

/** The demo model's reply to this, as a first message, never changes. */
const PROMPT = 'Keep this reply safe while I sign in again';

/** The reference reply, read by the test with alice's identity (the api trusts loopback). */
async function referenceReply(apiUrl: string): Promise<string> {
  const request: ChatRequest = { messages: [{ role: 'user', content: PROMPT }] };
  const response = await fetch(apiUrl + ApiPaths.chatStream, {
    method: 'POST',
    headers: { ...ALICE, 'Content-Type': 'application/json', Accept: EVENT_STREAM_CONTENT_TYPE },
    body: JSON.stringify(request),
  });
  if (response.status !== 200 || !response.body) {
    throw new Error(`reference POST: HTTP ${response.status} ${await response.text()}`);
  }
  const { frames } = await readStream(response, { timeoutMs: 30_000 });
  check(
    frames.at(-1)?.frame.type === 'finish',
    () => `reference did not finish: ${JSON.stringify(frames.at(-1))}`,
  );
  return textOf(frames);
}

describe('an expired session in Chromium, behind a (simulated) SSO proxy, against the built api', () => {
  let api: ApiProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];
  let requests: { at: number; method: string; path: string }[];

  beforeAll(async () => {
    api = await startApi(
      {
        AUTH_MODE: 'proxy',
        TRUSTED_PROXY_CIDRS: '127.0.0.1/32,::1/128',
        AUTH_SIGN_IN_URL: '/signed-out?rd={returnTo}',
        DEMO_TOKEN_DELAY_MS: '60',
      },
      { webApp: true },
    );
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
  });

  beforeEach(async () => {
    pageErrors = [];
    requests = [];
    context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    await context.setExtraHTTPHeaders(ALICE);
    context.on('request', (request: Request) => {
      const path = new URL(request.url()).pathname;
      if (path.startsWith('/api/'))
        requests.push({ at: Date.now(), method: request.method(), path });
    });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterEach(async () => {
    await context?.close();
    expect(pageErrors).toEqual([]);
  });

  it('a reply cut off by an expired session is kept, and shown whole after signing in', async () => {
    const reference = referenceReply(api.url);
    await page.goto(api.url, { timeout: 15_000 });
    await page.getByTestId('composer').waitFor({ state: 'visible', timeout: 15_000 });
    await page
      .getByTestId('signed-in-user')
      .filter({ hasText: 'alice' })
      .waitFor({ state: 'visible', timeout: 5_000 });

    await send(page, PROMPT);
    const samples: Reply[] = [];
    const before = await waitUntil(
      async () => {
        const reply = await readReply(page);
        samples.push(reply);
        return reply.state === 'streaming' && reply.text.length > 60 && reply;
      },
      {
        what: 'the reply to stream in',
        timeoutMs: 15_000,
        intervalMs: 50,
        seen: () => summarize(samples),
      },
    );

    // The session expires: the proxy no longer vouches for this browser. The reconnect that
    // follows a network blip goes out without identity and is refused with 401.
    await context.setExtraHTTPHeaders({});
    const expiredAt = Date.now();
    await context.setOffline(true);
    await page.waitForTimeout(300);
    await context.setOffline(false);

    const notice = page.getByTestId('session-expired');
    await notice.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await notice.textContent()).toContain('Your session has expired');
    const conversation = shownConversation(page);
    expect(conversation).toBeDefined();
    const returnTo = `/?c=${conversation}`;
    const href = await page.getByTestId('sign-in').getAttribute('href', { timeout: 5_000 });
    // The sign-in page is told to come back to this conversation.
    expect(href).toBe(`/signed-out?rd=${encodeURIComponent(returnTo)}`);
    const paused = await readReply(page);
    expect(paused.state).toBe('failed');
    expect(paused.text.length).toBeGreaterThanOrEqual(before.text.length);
    check(
      requests.some((r) => r.at >= expiredAt && r.method === 'GET' && r.path.endsWith('/events')),
      () => `expected a resume after the session expired: ${JSON.stringify(requests)}`,
    );

    // Meanwhile the api generates on; a few seconds pass before the user signs in.
    await page.waitForTimeout(1_000);

    // Signing in: the proxy vouches for alice again, and the link brings the app back.
    await context.setExtraHTTPHeaders(ALICE);
    const signedInAt = Date.now();
    await Promise.all([
      page.waitForURL(/\/signed-out\?rd=/, { timeout: 15_000 }),
      page.getByTestId('sign-in').click({ timeout: 5_000 }),
    ]);
    // The proxy's sign-in page sends the browser back to `rd`, as oauth2-proxy does.
    await page.goto(api.url + returnTo, { timeout: 15_000 });
    await page.getByTestId('composer').waitFor({ state: 'attached', timeout: 15_000 });

    const after: Reply[] = [];
    const first = await waitUntil(
      async () => {
        const reply = await readReply(page);
        after.push(reply);
        return reply.count > 0 && reply;
      },
      { what: 'the reply to be shown again', timeoutMs: 5_000, seen: () => summarize(after) },
    );
    expect(first.state).toBe('streaming');
    const final = await waitUntil(
      async () => {
        const reply = await readReply(page);
        after.push(reply);
        return reply.state !== 'streaming' && reply.state !== null && reply;
      },
      { what: 'the reply to end', timeoutMs: 30_000, intervalMs: 50, seen: () => summarize(after) },
    );

    const full = await within(reference, { what: 'the reference reply', timeoutMs: 30_000 });
    expect(final.state).toBe('done');
    expect(final.count).toBe(1);
    expect(await page.getByTestId('session-expired').count()).toBe(0);
    expect(await page.getByTestId('user-message').allTextContents()).toEqual([PROMPT]);
    // Exactly the demo reply: nothing lost, nothing twice.
    expect(await keptReplyText(page, api.url, ALICE)).toBe(full);
    const lengths = after.filter((s) => s.state === 'streaming').map((s) => s.text.length);
    check(
      lengths.every((length, i) => i === 0 || length >= lengths[i - 1]),
      () => `the text shrank after signing in: ${lengths.join(', ')}`,
    );
    const resumed = requests.filter((r) => r.at >= signedInAt);
    check(
      resumed.filter((r) => r.method === 'POST').length === 0 &&
        resumed.filter((r) => r.method === 'GET' && r.path.endsWith('/events')).length === 1,
      () =>
        `expected exactly one resume and no new POST after signing in: ${JSON.stringify(resumed)}`,
    );
  });
});
