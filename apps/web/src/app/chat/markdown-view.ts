import { ChangeDetectionStrategy, Component, computed, input, linkedSignal } from '@angular/core';
import { MarkdownBlocks } from './markdown-blocks';
import { MarkdownState, appendMarkdown, parseMarkdown } from './markdown';

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
  /** The text so far; as it grows, only its tail is parsed again. */
  readonly text = input.required<string>();
  /** Whether more text is coming (shows the cursor). */
  readonly streaming = input(false);

  /** The parsed text, each new text parsed on top of the last (see `appendMarkdown`). */
  private readonly markdown = linkedSignal({
    source: this.text,
    computation: (text: string, previous?: { value: MarkdownState }) =>
      previous ? appendMarkdown(previous.value, text) : parseMarkdown(text),
  });

  protected readonly blocks = computed(() => this.markdown().blocks);
}
