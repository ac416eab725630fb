import type { Locator, Page } from 'playwright-core';
import { waitUntil } from './wait-until';

/** The last assistant reply, read in one go so its state, status and text belong together. */
export interface Reply {
  count: number;
  state: string | null;
  /** The reply's status line (Stopped, Reconnecting…), if it shows one. */
  status: string;
  /** The rendered text, as a reader sees it. */
  text: string;
}

/** Reads the last reply off the page. */
export function readReply(page: Page): Promise<Reply> {
  return page.evaluate(() => {
    const replies = document.querySelectorAll('[data-testid="assistant-message"]');
    const last = replies.item(replies.length - 1) as Element | null;
    return {
      count: replies.length,
      state: last?.getAttribute('data-state') ?? null,
      status: last?.querySelector('[data-testid="status"]')?.textContent?.trim() ?? '',
      text: last?.querySelector('[data-testid="assistant-text"]')?.textContent ?? '',
    };
  });
}

/** The samples seen so far, short enough for a failure message. */
export function summarize(samples: readonly Reply[]): string {
  const shown = samples
    .slice(-12)
    .map((s) => `${s.state}${s.status ? `(${s.status})` : ''}:${s.text.length}`);
  const last = samples.at(-1);
  return `${samples.length} samples (state:length) …${shown.join(' ')}; last text: ${JSON.stringify(
    last?.text.slice(0, 200),
  )}`;
}

/** Types `prompt` into the composer and sends it with Enter. */
export async function send(page: Page, prompt: string): Promise<void> {
  const composer = page.getByTestId('composer');
  await composer.fill(prompt, { timeout: 5_000 });
  await composer.press('Enter', { timeout: 5_000 });
}

/** The conversation the page shows, as its address names it (`?c=<id>`), if any. */
export function shownConversation(page: Page): string | undefined {
  return new URL(page.url()).searchParams.get('c') ?? undefined;
}

/**
 * The raw (Markdown) text of the last reply of the conversation the page shows, as the api keeps
 * it once the reply ended (it keeps a reply's text when its generation ends, so this waits for
 * that); `headers` carry the identity when the api wants one.
 */
export async function keptReplyText(
  page: Page,
  apiUrl: string,
  headers: Record<string, string> = {},
): Promise<string | undefined> {
  const id = shownConversation(page);
  if (!id) return undefined;
  return waitUntil(
    async () => {
      const response = await fetch(`${apiUrl}/api/conversations/${id}`, { headers });
      if (!response.ok) return false;
      const conversation = (await response.json()) as {
        messages: { role: string; status: string; content: string }[];
      };
      const reply = conversation.messages.filter((m) => m.role === 'assistant').at(-1);
      return reply && reply.status !== 'generating' && { text: reply.content };
    },
    { what: `the api to keep the reply of conversation ${id}`, timeoutMs: 10_000 },
  ).then((kept) => kept.text);
}

/**
 * Waits until every element `locator` matches shows `expected` (in order, each containing its
 * string): what a reader sees once the page has settled after a click, which Angular renders
 * in a later task than the click's own.
 */
export function waitForTexts(
  locator: Locator,
  expected: readonly string[],
  timeoutMs = 5_000,
): Promise<string[]> {
  let seen: string[] = [];
  return waitUntil(
    async () => {
      seen = await locator.allTextContents();
      const shows =
        seen.length === expected.length && expected.every((text, i) => seen[i].includes(text));
      return shows && seen;
    },
    {
      what: `the page to show ${JSON.stringify(expected)}`,
      timeoutMs,
      seen: () => JSON.stringify(seen),
    },
  );
}
