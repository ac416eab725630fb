import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  computed,
  effect,
  inject,
  input,
  signal,
} from '@angular/core';
import { MarkdownCursor } from './markdown-cursor';
import { MarkdownCodeBlock } from './markdown';
import { MarkdownHighlighter } from './markdown-highlighter';

const COPIED_FEEDBACK_MS = 2000;

/** A code block of a reply: its language, a button that copies it, and its code highlighted. */
@Component({
  selector: 'app-markdown-code',
  imports: [MarkdownCursor],
  templateUrl: './markdown-code.html',
  styleUrl: './markdown-code.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class MarkdownCode {
  /** The code block to show. */
  readonly block = input.required<MarkdownCodeBlock>();
  /** Whether to show the streaming cursor after the code. */
  readonly cursor = input(false);

  private readonly highlighter = inject(MarkdownHighlighter);

  /**
   * The code as highlight.js's HTML, or `undefined` to show it as plain text. Made again only when
   * the block changes (a settled block is the same object on every delta) or highlight.js arrives.
   */
  protected readonly highlighted = computed(() =>
    this.highlighter.highlight(this.block().code, this.block().language),
  );

  /** Whether the page may write to the clipboard (it may not outside a secure context). */
  protected readonly canCopy = typeof navigator.clipboard?.writeText === 'function';
  /** Whether the code was just copied, for a moment of feedback. */
  protected readonly copied = signal(false);
  private copiedTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    effect(() => {
      if (this.block().language !== '') this.highlighter.load();
    });
    inject(DestroyRef).onDestroy(() => clearTimeout(this.copiedTimer));
  }

  protected copy(): void {
    navigator.clipboard.writeText(this.block().code).then(
      () => {
        this.copied.set(true);
        clearTimeout(this.copiedTimer);
        this.copiedTimer = setTimeout(() => this.copied.set(false), COPIED_FEEDBACK_MS);
      },
      () => undefined, // No clipboard permission: the text can still be selected by hand.
    );
  }
}
