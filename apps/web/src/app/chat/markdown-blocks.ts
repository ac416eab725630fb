import { NgTemplateOutlet } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  inject,
  input,
  signal,
} from '@angular/core';
import { MarkdownBlock } from './markdown';

const COPIED_FEEDBACK_MS = 2000;

/**
 * Renders parsed Markdown blocks with text bindings only, recursing into list items and quotes.
 * `cursor` puts the streaming cursor at the very end of the last block.
 */
@Component({
  selector: 'app-markdown-blocks',
  imports: [NgTemplateOutlet],
  templateUrl: './markdown-blocks.html',
  styleUrl: './markdown-blocks.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class MarkdownBlocks {
  /** The blocks to render. */
  readonly blocks = input.required<readonly MarkdownBlock[]>();
  /** Whether to show the streaming cursor after the last block's text. */
  readonly cursor = input(false);

  /** Whether the page may write to the clipboard (it may not outside a secure context). */
  protected readonly canCopy = typeof navigator.clipboard?.writeText === 'function';
  /** The code block whose text was just copied, for a moment of feedback. */
  protected readonly copied = signal<MarkdownBlock | undefined>(undefined);
  private copiedTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    inject(DestroyRef).onDestroy(() => clearTimeout(this.copiedTimer));
  }

  protected copy(block: MarkdownBlock & { kind: 'code' }): void {
    navigator.clipboard.writeText(block.code).then(
      () => {
        this.copied.set(block);
        clearTimeout(this.copiedTimer);
        this.copiedTimer = setTimeout(() => this.copied.set(undefined), COPIED_FEEDBACK_MS);
      },
      () => undefined, // No clipboard permission: the text can still be selected by hand.
    );
  }
}
