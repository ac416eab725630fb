import { ChangeDetectionStrategy, Component, computed, input, linkedSignal } from '@angular/core';
import { MarkdownBlocks } from './markdown-blocks';
import { MarkdownState, appendMarkdown, parseMarkdown } from './markdown';
import { MarkdownBlock } from './markdown-nodes';

/**
 * Settled blocks rendered together, in groups this large: a group whose blocks all settled is one
 * unchanged input, so change detection skips it whole, and a streaming reply's cost per update
 * does not grow with the blocks before its end (bench/README.md, "Rendering a long reply").
 * Small, because a group that fills builds its blocks' views again in one render: 32 made that
 * render a long task every half second; 4 made more groups than it saved.
 */
export const SETTLED_GROUP_SIZE = 8;

/** Renders an assistant's text as safe Markdown, with a blinking cursor while it still streams. */
@Component({
  selector: 'app-markdown-view',
  imports: [MarkdownBlocks],
  template: `
    @for (group of settledGroups(); track group) {
      <div class="settled"><app-markdown-blocks [blocks]="group" /></div>
    }
    <app-markdown-blocks [blocks]="openBlocks()" [cursor]="streaming()" />
  `,
  styles: `
    :host {
      display: block;
      overflow-wrap: anywhere;
    }

    /*
     * Settled groups out of view skip style, layout and paint (each keeps the size it had last):
     * a long reply grows at its end, and what scrolled away need not be laid out again. The
     * padding is the margin its last block gives up (see markdown-blocks.css).
     */
    .settled {
      padding-bottom: 0.85em;
      content-visibility: auto;
      contain-intrinsic-size: auto 600px;
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

  /** The full groups of settled blocks; a group once made is the same array from then on. */
  protected readonly settledGroups = linkedSignal({
    source: this.markdown,
    computation: (state, previous?: { value: readonly (readonly MarkdownBlock[])[] }) => {
      const count = Math.floor(state.settledBlocks / SETTLED_GROUP_SIZE);
      const before = previous?.value ?? [];
      // Settled blocks keep their objects, so a group still made of them is kept as it is.
      let kept = 0;
      while (
        kept < Math.min(count, before.length) &&
        before[kept][0] === state.blocks[kept * SETTLED_GROUP_SIZE]
      ) {
        kept++;
      }
      if (kept === count && before.length === count) return before;
      const groups = before.slice(0, kept);
      for (let i = groups.length; i < count; i++) {
        groups.push(state.blocks.slice(i * SETTLED_GROUP_SIZE, (i + 1) * SETTLED_GROUP_SIZE));
      }
      return groups;
    },
  });

  /** The blocks after the full groups: the last settled ones and the open end. */
  protected readonly openBlocks = computed(() =>
    this.markdown().blocks.slice(this.settledGroups().length * SETTLED_GROUP_SIZE),
  );
}
