import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { MarkdownCursor } from './markdown-cursor';
import { MarkdownInlineNode } from './markdown-nodes';

/** A block's inline content with text bindings only, recursing into emphasis and links. */
@Component({
  selector: 'app-markdown-inline',
  imports: [MarkdownCursor],
  templateUrl: './markdown-inline.html',
  styleUrl: './markdown-inline.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class MarkdownInline {
  /** The content to render. */
  readonly nodes = input.required<readonly MarkdownInlineNode[]>();
  /** Whether to show the streaming cursor after the content. */
  readonly cursor = input(false);
}
