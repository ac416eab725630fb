/**
 * The plain data a reply's Markdown becomes: blocks, and the inline content inside them. Templates
 * render it with text bindings only (see markdown.ts).
 */

/** Inline content of a block, in reading order. */
export type MarkdownInlineNode =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'code'; readonly text: string }
  | { readonly kind: 'strong'; readonly children: readonly MarkdownInlineNode[] }
  | { readonly kind: 'em'; readonly children: readonly MarkdownInlineNode[] }
  | { readonly kind: 'del'; readonly children: readonly MarkdownInlineNode[] }
  | MarkdownLink
  | { readonly kind: 'image'; readonly alt: string; readonly href: string | undefined }
  | { readonly kind: 'checkbox'; readonly checked: boolean }
  | { readonly kind: 'break' };

/** A link whose `href` passed `safeLinkHref`; `text` is its content as plain text. */
export interface MarkdownLink {
  readonly kind: 'link';
  readonly href: string;
  readonly title: string;
  readonly text: string;
  readonly children: readonly MarkdownInlineNode[];
}

/** A fenced or indented code block; `language` is the first word of the fence's info string. */
export interface MarkdownCodeBlock {
  readonly kind: 'code';
  readonly language: string;
  readonly code: string;
}

/** One item of a list: its own blocks; a task item's first block starts with its checkbox. */
export interface MarkdownListItem {
  readonly task: boolean;
  readonly blocks: readonly MarkdownBlock[];
}

/** A cell of a table, with its column's alignment. */
export interface MarkdownTableCell {
  readonly align: 'left' | 'center' | 'right' | null;
  readonly content: readonly MarkdownInlineNode[];
}

/** A block of a reply, in reading order. */
export type MarkdownBlock =
  | { readonly kind: 'paragraph'; readonly content: readonly MarkdownInlineNode[] }
  /** The text of a tight list's item, which has no paragraph of its own. */
  | { readonly kind: 'text'; readonly content: readonly MarkdownInlineNode[] }
  | {
      readonly kind: 'heading';
      readonly level: number;
      readonly content: readonly MarkdownInlineNode[];
    }
  | MarkdownCodeBlock
  | { readonly kind: 'quote'; readonly blocks: readonly MarkdownBlock[] }
  | {
      readonly kind: 'list';
      readonly ordered: boolean;
      readonly start: number;
      readonly items: readonly MarkdownListItem[];
    }
  | {
      readonly kind: 'table';
      readonly header: readonly MarkdownTableCell[];
      readonly rows: readonly (readonly MarkdownTableCell[])[];
    }
  | { readonly kind: 'rule' }
  /** A block of raw HTML, shown as the text it is. */
  | { readonly kind: 'literal'; readonly text: string };
