import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { MarkdownBlocks } from './markdown-blocks';
import { parseMarkdown } from './markdown';

/** Renders an assistant's text as safe Markdown, with a blinking cursor while it still streams. */
@Component({
  selector: 'app-markdown-view',
  imports: [MarkdownBlocks],
  template: `<app-markdown-blocks [blocks]="blocks()" [cursor]="streaming()" />`,
  styles: `
    :host {
      display: block;
      overflow-wrap: anywhere;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class MarkdownView {
  /** The text so far; parsed again whenever it grows. */
  readonly text = input.required<string>();
  /** Whether more text is coming (shows the cursor). */
  readonly streaming = input(false);

  protected readonly blocks = computed(() => parseMarkdown(this.text()));
}
