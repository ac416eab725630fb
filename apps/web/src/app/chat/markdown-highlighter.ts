import { Injectable, PendingTasks, inject, signal } from '@angular/core';

type Highlighting = typeof import('./markdown-highlight');

/**
 * Highlights code blocks with highlight.js, which is loaded the first time a block names a
 * language, as a chunk of its own: its core and grammars weigh some 85 kB, which no first page
 * should wait for. Until then, and if it cannot be loaded, code shows as plain text.
 */
@Injectable({ providedIn: 'root' })
export class MarkdownHighlighter {
  private readonly pendingTasks = inject(PendingTasks);
  private readonly highlighting = signal<Highlighting | undefined>(undefined);
  private loading = false;

  /**
   * `code` as highlight.js's HTML (see `highlightCode`), or `undefined` to show it as plain text:
   * its language is absent or unknown, or highlight.js has not loaded yet. A signal read: it gives
   * the HTML once highlight.js arrives.
   */
  highlight(code: string, language: string): string | undefined {
    return this.highlighting()?.highlightCode(code, language);
  }

  /** Starts loading highlight.js, unless it is loaded or on its way. */
  load(): void {
    if (this.loading) return;
    this.loading = true;
    // A pending task, so the app (and a test) is not stable before the code is highlighted.
    this.pendingTasks.run(async () => {
      try {
        this.highlighting.set(await import('./markdown-highlight'));
      } catch {
        this.loading = false; // Offline, say: the code stays plain, and the next block tries again.
      }
    });
  }
}
