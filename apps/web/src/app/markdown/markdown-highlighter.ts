import { Injectable, InjectionToken, PendingTasks, inject } from '@angular/core';
import type { HighlightAnswer, HighlightRequest } from './markdown-highlight-protocol';

type Highlighting = typeof import('./markdown-highlight');

/**
 * Makes the worker that highlights code (`markdown-highlight.worker.ts`). The app's config provides
 * it, as only the app's build can bundle a worker; without it (unit tests) or when it fails to
 * start, highlight.js is loaded into the page and runs there.
 */
export const HIGHLIGHT_WORKER = new InjectionToken<(() => Worker) | null>('HIGHLIGHT_WORKER', {
  providedIn: 'root',
  factory: () => null,
});

/** Code and its highlighted HTML, line by line (see `highlightedLines`), as last answered. */
export interface HighlightedCode {
  code: string;
  language: string;
  lines: string[];
}

/** How many answers are kept for a code block made anew (a streamed block settling, say). */
const RECENT_ANSWERS = 16;

/**
 * Highlights code blocks with highlight.js, in a Web Worker: compiling a grammar on its first use
 * and highlighting a streaming block on every delta would otherwise be the page's longest tasks
 * (bench/README.md, "Rendering a long reply"). highlight.js (some 85 kB) loads when first needed
 * or when the page is idle, never with the first page. Until an answer comes, or if highlight.js
 * cannot be loaded, code shows as plain text.
 */
@Injectable({ providedIn: 'root' })
export class MarkdownHighlighter {
  private readonly pendingTasks = inject(PendingTasks);
  private readonly createWorker = inject(HIGHLIGHT_WORKER);
  private worker: Worker | undefined;
  private inPage: Promise<Highlighting | undefined> | undefined;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;
  private readonly recent: HighlightedCode[] = [];

  /** Starts the worker, or loads highlight.js into the page, unless that is done or under way. */
  load(): void {
    if (this.worker || this.inPage) return;
    if (this.createWorker) {
      try {
        this.worker = this.createWorker();
        this.worker.addEventListener('message', (event: MessageEvent<HighlightAnswer>) =>
          this.answer(event.data.id, event.data.lines),
        );
        // A worker that cannot start (its script not found after a deploy, say) or fails: the
        // page highlights instead, the questions left unanswered included.
        this.worker.addEventListener('error', () => this.highlightInPage());
        return;
      } catch {
        // No workers on this page: highlight in it.
      }
    }
    this.highlightInPage();
  }

  /**
   * `code` highlighted as `language` (see `highlightCodeLines`): HTML line by line, or `undefined`
   * to show it as plain text (no language, one not bundled, or highlight.js could not be loaded).
   */
  highlight(code: string, language: string): Promise<string[] | undefined> {
    this.load();
    const id = (this.nextId += 1);
    const taskDone = this.pendingTasks.add(); // The app (and a test) is stable once answered.
    return new Promise<string[] | undefined>((resolve) => {
      this.waiting.set(id, { code, language, resolve });
      if (this.worker) {
        const request: HighlightRequest = { id, code, language };
        this.worker.postMessage(request);
      } else void this.answerInPage(id);
    }).finally(taskDone);
  }

  /**
   * The newest answer in `language` for `code` or for the start of it: what a block made anew, or
   * one grown since its last answer, can show at once (with the rest of its code as plain text).
   */
  recentFor(code: string, language: string): HighlightedCode | undefined {
    for (let i = this.recent.length - 1; i >= 0; i -= 1) {
      const answered = this.recent[i];
      if (answered.language === language && code.startsWith(answered.code)) return answered;
    }
    return undefined;
  }

  private answer(id: number, lines: string[] | undefined): void {
    const waiting = this.waiting.get(id);
    if (!waiting) return;
    this.waiting.delete(id);
    if (lines !== undefined) {
      this.recent.push({ code: waiting.code, language: waiting.language, lines });
      if (this.recent.length > RECENT_ANSWERS) this.recent.shift();
    }
    waiting.resolve(lines);
  }

  private highlightInPage(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.inPage ??= import('./markdown-highlight').catch(() => {
      this.inPage = undefined; // Offline, say: the code stays plain, and the next block tries again.
      return undefined;
    });
    for (const id of this.waiting.keys()) void this.answerInPage(id);
  }

  private async answerInPage(id: number): Promise<void> {
    const highlighting = await this.inPage;
    const waiting = this.waiting.get(id);
    if (waiting) this.answer(id, highlighting?.highlightCodeLines(waiting.code, waiting.language));
  }
}

interface Waiting {
  code: string;
  language: string;
  resolve: (lines: string[] | undefined) => void;
}
