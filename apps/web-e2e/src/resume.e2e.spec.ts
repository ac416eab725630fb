import { startApi, type ApiProcess } from '@tokenstream/e2e-support';
import { ApiPaths, type ReceivedFrame } from '@tokenstream/stream-contracts';
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
import { postReply, replayStream, textOf, type ReadStream } from './support/stream-client';
import { check, waitUntil, within } from './support/wait-until';

/** Milliseconds per demo token: a reply takes about 5 s, time enough to cut it in the middle. */
const DEMO_TOKEN_DELAY_MS = '40';

/** One prompt for every test: the demo model's reply to it, as a first message, never changes. */
const PROMPT = 'Please pick this reply up where it was';

/** A request the page made to the stream routes, with the header that says where it resumed. */
interface SeenRequest {
  at: number;
  method: string;
  path: string;
  lastEventId: string | undefined;
}

describe('resuming replies in Chromium, against the built api on the demo model', () => {
  let api: ApiProcess;
  let browser: Browser;
  /** The demo reply to PROMPT, read by a plain POST from the test. */
  let reference: ReadStream;
  /** The same reply as the app renders it, streamed without interruption. */
  let referenceRendered: string;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];
  let requests: SeenRequest[];

  async function openChat(ctx: BrowserContext): Promise<Page> {
    const opened = await ctx.newPage();
    opened.on('pageerror', (error) => pageErrors.push(error.message));
    await opened.goto(api.url, { timeout: 15_000 });
    await opened.getByTestId('composer').waitFor({ state: 'visible', timeout: 15_000 });
    return opened;
  }

  /** Waits until the last reply leaves `streaming`, sampling it; fails with what was seen. */
  async function waitForEnd(samples: Reply[], timeoutMs = 30_000): Promise<Reply> {
    return waitUntil(
      async () => {
        const reply = await readReply(page);
        samples.push(reply);
        return reply.state !== 'streaming' && reply.state !== null && reply;
      },
      { what: 'the reply to end', timeoutMs, intervalMs: 50, seen: () => summarize(samples) },
    );
  }

  /** Waits until the reply is streaming with more than `chars` characters on screen. */
  async function waitForText(samples: Reply[], chars: number): Promise<Reply> {
    return waitUntil(
      async () => {
        const reply = await readReply(page);
        samples.push(reply);
        return reply.state === 'streaming' && reply.text.length > chars && reply;
      },
      {
        what: `more than ${chars} characters to stream in`,
        timeoutMs: 15_000,
        intervalMs: 50,
        seen: () => summarize(samples),
      },
    );
  }

  /** The DELETE requests the page sends from now on, with the api's answers. */
  function recordDeletes(): { path: string; status: number }[] {
    const deletes: { path: string; status: number }[] = [];
    page.on('response', (response) => {
      if (response.request().method() === 'DELETE') {
        deletes.push({ path: new URL(response.url()).pathname, status: response.status() });
      }
    });
    return deletes;
  }

  function describeRequests(): string {
    return JSON.stringify(requests.map((r) => `${r.method} ${r.path} @${r.lastEventId ?? '-'}`));
  }

  beforeAll(async () => {
    api = await startApi({ DEMO_TOKEN_DELAY_MS }, { webApp: true });
    browser = await launchChromium();
    pageErrors = [];
    const control = await browser.newContext();
    try {
      const controlPage = await openChat(control);
      const rendered = (async () => {
        await send(controlPage, PROMPT);
        const samples: Reply[] = [];
        return waitUntil(
          async () => {
            const reply = await readReply(controlPage);
            samples.push(reply);
            return reply.state === 'done' && reply.text;
          },
          {
            what: 'the control reply to finish',
            timeoutMs: 30_000,
            seen: () => summarize(samples),
          },
        );
      })();
      [reference, referenceRendered] = await Promise.all([postReply(api.url, PROMPT), rendered]);
    } finally {
      await control.close();
    }
    expect(reference.frames.at(-1)?.frame).toMatchObject({ type: 'finish', finishReason: 'stop' });
    expect(reference.text).toContain(PROMPT);
    expect(pageErrors).toEqual([]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
  });

  beforeEach(async () => {
    pageErrors = [];
    requests = [];
    context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    context.on('request', (request: Request) => {
      const path = new URL(request.url()).pathname;
      if (!path.startsWith('/api/chat/') && !path.startsWith('/api/streams/')) return;
      const seen: SeenRequest = {
        at: Date.now(),
        method: request.method(),
        path,
        lastEventId: undefined,
      };
      requests.push(seen);
      request
        .allHeaders()
        .then((headers) => (seen.lastEventId = headers['last-event-id']))
        .catch(() => undefined); // the page went away first
    });
    page = await openChat(context);
  });

  afterEach(async () => {
    await context?.close();
    expect(pageErrors).toEqual([]);
  });

  it('a native EventSource on GET /api/streams/:id/events receives the whole reply, as the POST reader does', async () => {
    type PageFrame = { id: string; frame: ReceivedFrame['frame'] };
    const result = await within(
      page.evaluate(async (prompt) => {
        /** A bare-bones reader of the POST's SSE body: enough for a well-formed stream. */
        async function readPost(response: Response): Promise<PageFrame[]> {
          const frames: PageFrame[] = [];
          const reader = (response.body as ReadableStream<Uint8Array>).getReader();
          const decoder = new TextDecoder();
          let buffer = '';
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return frames;
            buffer += decoder.decode(value, { stream: true });
            let end: number;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              const lines = buffer.slice(0, end).split('\n');
              buffer = buffer.slice(end + 2);
              const id =
                lines
                  .find((line) => line.startsWith('id:'))
                  ?.slice(3)
                  .trim() ?? '';
              const data = lines.filter((line) => line.startsWith('data:')).map((l) => l.slice(5));
              if (data.length > 0) frames.push({ id, frame: JSON.parse(data.join('\n')) });
            }
          }
        }

        /** Follows `url` with EventSource until the stream's last frame, then closes it. */
        function listen(url: string): Promise<{ frames: PageFrame[]; errors: number }> {
          return new Promise((resolve, reject) => {
            const frames: PageFrame[] = [];
            let errors = 0;
            const source = new EventSource(url);
            const timer = setTimeout(() => {
              source.close();
              reject(
                new Error(
                  `EventSource ${url}: no last frame in 30 s; got ${JSON.stringify(frames).slice(-400)}`,
                ),
              );
            }, 30_000);
            source.onerror = () => (errors += 1);
            source.onmessage = (message: MessageEvent<string>) => {
              const frame = JSON.parse(message.data) as PageFrame['frame'];
              frames.push({ id: message.lastEventId, frame });
              if (frame.type === 'finish' || frame.type === 'error') {
                clearTimeout(timer);
                // Closed here: after the last frame the api ends the response, and an open
                // EventSource would reconnect to it.
                source.close();
                resolve({ frames, errors });
              }
            };
          });
        }

        const response = await fetch('/api/chat/stream', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
          body: JSON.stringify({ messages: [{ role: 'user', content: prompt }] }),
        });
        const streamId = response.headers.get('X-Stream-Id') ?? '';
        const [post, live] = await Promise.all([
          readPost(response),
          listen(`/api/streams/${streamId}/events`),
        ]);
        // Once it ended: a client that cannot set headers resumes with ?lastEventId=.
        const middle = post[Math.floor(post.length / 2)].id;
        const late = await listen(`/api/streams/${streamId}/events?lastEventId=${middle}`);
        return { streamId, post, live, middle, late };
      }, PROMPT),
      { what: 'the POST reader and the EventSource readers in the page', timeoutMs: 45_000 },
    );

    const { streamId, post, live, middle, late } = result;
    const seen = () =>
      JSON.stringify({ post: post.length, live: live.frames.length, late: late.frames.length });
    expect(live.frames[0]?.frame).toEqual({ type: 'start', streamId, model: expect.any(String) });
    expect(live.frames.at(-1)?.frame).toMatchObject({ type: 'finish', finishReason: 'stop' });
    expect(live.errors).toBe(0);
    const ids = live.frames.map((f) => Number(f.id));
    check(
      ids.every((id, i) => Number.isInteger(id) && id > 0 && (i === 0 || id > ids[i - 1])),
      () => `EventSource ids must be increasing positions: ${ids.join(',')}; ${seen()}`,
    );
    expect(textOf(live.frames)).toBe(textOf(post));
    expect(textOf(post)).toBe(reference.text);
    // The POST's ids are the same positions: the EventSource saw the same stream.
    expect(post.at(-1)?.id).toBe(live.frames.at(-1)?.id);

    const after = late.frames.map((f) => Number(f.id));
    check(
      after.every((id) => id > Number(middle)),
      () => `?lastEventId=${middle} replayed frames at or before it: ${after.join(',')}`,
    );
    const before = post.filter((f) => Number(f.id) <= Number(middle));
    expect(textOf(before) + textOf(late.frames)).toBe(reference.text);
  });

  it('a reload mid-reply picks the reply up from the api: same text, nothing lost or repeated', async () => {
    await send(page, PROMPT);
    const samples: Reply[] = [];
    await waitForText(samples, 150);
    const conversation = shownConversation(page);
    expect(conversation).toBeDefined();

    const reloadedAt = Date.now();
    await page.reload({ timeout: 15_000 });
    await page.getByTestId('composer').waitFor({ state: 'attached', timeout: 15_000 });
    const afterReload: Reply[] = [];
    const first = await waitUntil(
      async () => {
        const reply = await readReply(page);
        afterReload.push(reply);
        return reply.count > 0 && reply;
      },
      {
        what: 'the reply to be shown again after the reload',
        timeoutMs: 5_000,
        seen: () => summarize(afterReload),
      },
    );
    const final = await waitForEnd(afterReload);

    // The address named the conversation, so the reload opened it, and followed its reply live.
    expect(shownConversation(page)).toBe(conversation);
    expect(first.state).toBe('streaming');
    expect(final.state).toBe('done');
    expect(final.count).toBe(1);
    expect(await page.getByTestId('user-message').allTextContents()).toEqual([PROMPT]);
    expect(await keptReplyText(page, api.url)).toBe(reference.text);
    expect(final.text).toBe(referenceRendered);

    const resumed = requests.filter((r) => r.at >= reloadedAt);
    check(
      resumed.filter((r) => r.method === 'POST').length === 0,
      () => `the reload sent the question again: ${describeRequests()}`,
    );
    // The api keeps a reply's text once it ends: until then the page reads it from its start.
    const gets = resumed.filter((r) => r.method === 'GET' && r.path.endsWith('/events'));
    check(
      gets.length === 1,
      () => `expected one GET …/events after the reload: ${describeRequests()}`,
    );
    const lengths = afterReload.filter((s) => s.state === 'streaming').map((s) => s.text.length);
    check(
      lengths.every((length, i) => i === 0 || length >= lengths[i - 1]),
      () => `the text shrank after the reload: ${lengths.join(', ')}`,
    );
  });

  it('going offline mid-reply shows Reconnecting…, and back online the reply completes intact', async () => {
    await send(page, PROMPT);
    const samples: Reply[] = [];
    await waitForText(samples, 100);

    await context.setOffline(true);
    const offlineAt = Date.now();
    await waitUntil(
      async () => {
        const reply = await readReply(page);
        samples.push(reply);
        return reply.status === 'Reconnecting…' && reply;
      },
      {
        what: 'Reconnecting… to show',
        timeoutMs: 5_000,
        intervalMs: 50,
        seen: () => summarize(samples),
      },
    );
    // Offline for a while: the api generates on meanwhile (well within its resume grace).
    await page.waitForTimeout(1_500);
    const offline = await readReply(page);
    samples.push(offline);
    expect(offline).toMatchObject({ state: 'streaming', status: 'Reconnecting…' });

    await context.setOffline(false);
    const onlineAt = Date.now();
    const streamingAgain = await waitUntil(
      async () => {
        const reply = await readReply(page);
        samples.push(reply);
        return reply.status !== 'Reconnecting…' && reply;
      },
      {
        what: 'Reconnecting… to go away',
        timeoutMs: 5_000,
        intervalMs: 50,
        seen: () => summarize(samples),
      },
    );
    const final = await waitForEnd(samples);

    expect(['streaming', 'done']).toContain(streamingAgain.state);
    expect(final.state).toBe('done');
    expect(final.status).toBe('');
    expect(await keptReplyText(page, api.url)).toBe(reference.text);
    expect(final.text).toBe(referenceRendered);
    check(
      requests.filter((r) => r.method === 'POST').length === 1,
      () => `expected one POST in all: ${describeRequests()}`,
    );
    const resumes = requests.filter((r) => r.method === 'GET' && r.at >= offlineAt);
    check(
      resumes.some((r) => r.at >= onlineAt && Number(r.lastEventId) > 1),
      () => `expected a GET …/events with Last-Event-ID once online: ${describeRequests()}`,
    );
  });

  it('Stop sends DELETE: the reply ends as Stopped with everything generated before it, then never changes', async () => {
    const deletes = recordDeletes();
    await send(page, PROMPT);
    const samples: Reply[] = [];
    await waitForText(samples, 40);

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
    expect(stopped.status).toBe('Stopped');
    expect(stopped.text.length).toBeLessThan(referenceRendered.length);
    await waitUntil(async () => deletes.length > 0, {
      what: 'the DELETE response',
      timeoutMs: 2_000,
      seen: () => describeRequests(),
    });
    expect(deletes).toHaveLength(1);
    const { path, status } = deletes[0];
    expect(status).toBe(204);
    const streamId = decodeURIComponent(path.split('/').at(-1) ?? '');
    expect(path).toBe(ApiPaths.stream(streamId));

    // The api ended the stream as cancelled, and the page shows every token generated before it.
    const replay = await replayStream(api.url, streamId);
    expect(replay.frames.at(-1)?.frame).toMatchObject({
      type: 'finish',
      finishReason: 'cancelled',
    });
    const saved = await keptReplyText(page, api.url);
    expect(saved).toBe(replay.text);
    expect(reference.text.startsWith(saved ?? '-')).toBe(true);
  });

  it('New chat mid-reply leaves the reply writing on the api; opened again, it is whole', async () => {
    const deletes = recordDeletes();
    await send(page, PROMPT);
    const samples: Reply[] = [];
    await waitForText(samples, 40);
    const conversation = shownConversation(page);

    await page.getByTestId('new-chat').click({ timeout: 5_000 });
    expect(await page.getByTestId('assistant-message').count()).toBe(0);
    expect(await page.getByTestId('user-message').count()).toBe(0);
    expect(shownConversation(page)).toBeUndefined();

    // The conversation left is in the sidebar; opening it shows the reply, live or finished.
    await page.getByTestId('open-conversation').filter({ hasText: PROMPT }).first().click();
    await waitUntil(async () => shownConversation(page) === conversation, {
      what: 'the conversation to open again',
      timeoutMs: 5_000,
    });
    const final = await waitForEnd(samples);
    expect(final.state).toBe('done');
    expect(final.text).toBe(referenceRendered);
    expect(await keptReplyText(page, api.url)).toBe(reference.text);
    // Leaving a reply is not stopping it.
    expect(deletes).toEqual([]);
  });
});
