import { NgTemplateOutlet } from '@angular/common';
import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { MarkdownBlock } from './markdown-nodes';
import { MarkdownCode } from './markdown-code';
import { MarkdownCursor } from './markdown-cursor';
import { MarkdownInline } from './markdown-inline';

/**
 * Renders Markdown blocks with text bindings only, recursing into list items and quotes.
 * `cursor` puts the streaming cursor at the very end of the last block.
 */
@Component({
  selector: 'app-markdown-blocks',
  imports: [NgTemplateOutlet, MarkdownCode, MarkdownCursor, MarkdownInline],
  templateUrl: './markdown-blocks.html',
  styleUrl: './markdown-blocks.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class MarkdownBlocks {
  /** The blocks to render. */
  readonly blocks = input.required<readonly MarkdownBlock[]>();
  /** Whether to show the streaming cursor after the last block's text. */
  readonly cursor = input(false);
}
