import type { Page } from 'playwright-core';

/** The app's `sessionStorage` key for the conversation (`CONVERSATION_STORAGE_KEY` in apps/web). */
export const CONVERSATION_STORAGE_KEY = 'tokenstream.conversation.v1';

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

/** The raw (Markdown) text of the last reply as the app saved it, or `undefined` if none is saved. */
export function savedReplyText(page: Page): Promise<string | undefined> {
  return page.evaluate((key) => {
    const raw = sessionStorage.getItem(key);
    if (!raw) return undefined;
    const saved = JSON.parse(raw) as { turns: { role: string; text?: string }[] };
    return saved.turns.filter((turn) => turn.role === 'assistant').at(-1)?.text;
  }, CONVERSATION_STORAGE_KEY);
}
