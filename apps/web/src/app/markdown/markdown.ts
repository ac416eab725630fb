/**
 * A reply's Markdown (CommonMark with GitHub's extensions), lexed by `marked` and turned into plain
 * data that templates render with text bindings: no HTML is ever made from the reply, so a reply
 * can inject no markup. Raw HTML in it is shown as the text it is, images become links to follow
 * (never loaded), and only `http:`, `https:` and `mailto:` links are links.
 *
 * A streamed reply is parsed as it grows, and only its tail is lexed again: see `appendMarkdown`.
 */
import { Lexer, type Links, type MarkedToken, type Token, type Tokens } from 'marked';
import { decodeEntities } from './markdown-entities';
import { safeLinkHref } from './markdown-link';

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

/**
 * A parsed reply. Tokens and blocks before `openFrom` are settled: while the text only grows they
 * are kept, the very same objects, and never lexed again. Treat it as opaque but for reading.
 */
export interface MarkdownState {
  /** The text parsed, with its line endings made `\n` (as the lexer does). */
  readonly source: string;
  /** The top-level tokens of `marked`'s lexer. */
  readonly tokens: readonly Token[];
  /** The blocks to render: one for each token that shows something, built once. */
  readonly blocks: readonly MarkdownBlock[];
  /** Where the open tail starts in `source`: the offset of the first token not settled. */
  readonly openFrom: number;
  /** How many of the first `tokens` are settled. */
  readonly settledTokens: number;
  /** How many of the first `blocks` are settled. */
  readonly settledBlocks: number;
  /** The link reference definitions among the settled top-level tokens. */
  readonly links: Links;
}

const EMPTY: MarkdownState = {
  source: '',
  tokens: [],
  blocks: [],
  openFrom: 0,
  settledTokens: 0,
  settledBlocks: 0,
  links: {},
};

/** Parses `text` (complete or still arriving) from scratch. */
export function parseMarkdown(text: string): MarkdownState {
  return lexFrom(EMPTY, normalized(text));
}

/**
 * Parses `text`, the whole text so far, reusing what `previous` settled when `text` only adds to
 * it: the open tail is lexed again from where it starts, and the tokens and blocks before it are
 * kept as they are, so a template tracking them leaves their DOM alone. Other text (a reply
 * replaced, not extended) is parsed from scratch.
 *
 * What is settled: everything before the last run of blocks not parted by a blank line, since text
 * appended to a line can change how the lines just above it read ("#" becomes "#tag", the next
 * line of the paragraph above). A list goes on across blank lines ("2" becomes "2. item", the next
 * item of the list above), so a list just before that run stays open too. A reply with no blank
 * line at all is therefore lexed whole on every delta: correct, only not incremental.
 *
 * Link reference definitions: a reference is resolved by definitions settled before it or in its
 * own tail. A definition that arrives after a reference, or one nested in a list or quote, does
 * not reach a settled block until the text is parsed from scratch (LLM replies rarely use them).
 */
export function appendMarkdown(previous: MarkdownState, text: string): MarkdownState {
  const source = normalized(text);
  if (source === previous.source) return previous;
  return lexFrom(source.startsWith(previous.source) ? previous : EMPTY, source);
}

function normalized(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** Lexes `source` from `base.openFrom` on, keeping what `base` settled before it. */
function lexFrom(base: MarkdownState, source: string): MarkdownState {
  const tail = source.slice(base.openFrom);
  const settledTokens = base.tokens.slice(0, base.settledTokens);
  const settledBlocks = base.blocks.slice(0, base.settledBlocks);
  let fresh: Token[];
  try {
    fresh = lex(tail, base.links);
  } catch {
    // `marked` stops a loop it cannot get out of by throwing. The reply must still show.
    return {
      ...base,
      source,
      tokens: settledTokens,
      blocks: [...settledBlocks, { kind: 'literal', text: tail }],
    };
  }
  const freshBlocks = fresh.map(toBlock);

  let open = openIndex(fresh);
  let openFrom = base.openFrom;
  let links = base.links;
  let settledBlockCount = base.settledBlocks;
  for (let i = 0; i < open; i++) {
    const token = fresh[i];
    // Offsets are sums of `raw` lengths, which `marked` keeps equal to what each token consumed;
    // should that ever not hold, the rest simply stays open.
    if (!source.startsWith(token.raw, openFrom)) {
      open = i;
      break;
    }
    openFrom += token.raw.length;
    if (freshBlocks[i]) settledBlockCount++;
    if (token.type === 'def') links = withDefinition(links, token as Tokens.Def);
  }

  return {
    source,
    tokens: [...settledTokens, ...fresh],
    blocks: [...settledBlocks, ...freshBlocks.filter((block) => block !== undefined)],
    openFrom,
    settledTokens: base.settledTokens + open,
    settledBlocks: settledBlockCount,
    links,
  };
}

function lex(source: string, links: Links): Token[] {
  // A lexer keeps its tokenizer on the options object, so each one gets its own.
  const lexer = new Lexer({ gfm: true });
  Object.assign(lexer.tokens.links, links);
  return lexer.lex(source);
}

/** The index of the first token that text appended to `tokens`' source could change. */
function openIndex(tokens: readonly Token[]): number {
  let start = tokens.length - 1;
  while (start >= 0 && tokens[start].type === 'space') start--;
  while (start > 0) {
    while (start > 0 && tokens[start - 1].type !== 'space') start--;
    let before = start - 1;
    while (before >= 0 && tokens[before].type === 'space') before--;
    // Only a list takes in what comes after a blank line and is not yet indented ("2" of "2. b").
    if (before < 0 || tokens[before].type !== 'list') break;
    start = before;
  }
  return Math.max(start, 0);
}

function withDefinition(links: Links, def: Tokens.Def): Links {
  // As in `marked` (and CommonMark), the first definition of a label wins.
  if (Object.hasOwn(links, def.tag)) return links;
  return { ...links, [def.tag]: { href: def.href, title: def.title } };
}

function toBlocks(tokens: readonly Token[]): MarkdownBlock[] {
  return tokens.map(toBlock).filter((block) => block !== undefined);
}

function toBlock(token: Token): MarkdownBlock | undefined {
  const t = token as MarkedToken;
  switch (t.type) {
    case 'space':
    case 'def':
      return undefined;
    case 'paragraph':
      return { kind: 'paragraph', content: toInlines(t.tokens) };
    case 'text':
      return {
        kind: 'text',
        content: t.tokens ? toInlines(t.tokens) : [{ kind: 'text', text: decodeEntities(t.text) }],
      };
    case 'heading':
      return { kind: 'heading', level: t.depth, content: toInlines(t.tokens) };
    case 'code':
      return { kind: 'code', language: (t.lang ?? '').trim().split(/\s/, 1)[0], code: t.text };
    case 'blockquote':
      return { kind: 'quote', blocks: toBlocks(t.tokens) };
    case 'list':
      return {
        kind: 'list',
        ordered: t.ordered,
        start: typeof t.start === 'number' ? t.start : 1,
        items: t.items.map(toListItem),
      };
    case 'table':
      return {
        kind: 'table',
        header: t.header.map(toTableCell),
        rows: t.rows.map((row) => row.map(toTableCell)),
      };
    case 'hr':
      return { kind: 'rule' };
    case 'html':
      return { kind: 'literal', text: t.text.replace(/\n+$/, '') };
    default:
      // A kind of block this renderer does not know: its source, as written.
      return { kind: 'paragraph', content: [{ kind: 'text', text: token.raw }] };
  }
}

function toListItem(item: Tokens.ListItem): MarkdownListItem {
  const [first, ...rest] = item.tokens;
  if (first?.type !== 'checkbox') return { task: item.task, blocks: toBlocks(item.tokens) };
  // In a tight list the checkbox comes before the item's text, not inside it: put it there.
  const checkbox: MarkdownInlineNode = {
    kind: 'checkbox',
    checked: (first as Tokens.Checkbox).checked,
  };
  const blocks = toBlocks(rest);
  const lead = blocks[0];
  if (lead?.kind === 'text' || lead?.kind === 'paragraph') {
    blocks[0] = { ...lead, content: [checkbox, ...lead.content] };
  } else {
    blocks.unshift({ kind: 'text', content: [checkbox] });
  }
  return { task: true, blocks };
}

function toTableCell(cell: Tokens.TableCell): MarkdownTableCell {
  return { align: cell.align, content: toInlines(cell.tokens) };
}

/** `inLink`: inside a link, where another link (an image's) cannot be. */
function toInlines(tokens: readonly Token[], inLink = false): MarkdownInlineNode[] {
  const nodes: MarkdownInlineNode[] = [];
  for (const token of tokens) addInline(nodes, token, inLink);
  return nodes;
}

function addInline(nodes: MarkdownInlineNode[], token: Token, inLink: boolean): void {
  const t = token as MarkedToken;
  switch (t.type) {
    case 'text':
      if (t.tokens) addAll(nodes, toInlines(t.tokens, inLink));
      else addText(nodes, decodeEntities(t.text));
      return;
    case 'escape':
      addText(nodes, t.text);
      return;
    case 'html':
      addText(nodes, t.raw); // Raw HTML shows as written: it is text here, never markup.
      return;
    case 'codespan':
      nodes.push({ kind: 'code', text: t.text });
      return;
    case 'strong':
    case 'em':
    case 'del':
      nodes.push({ kind: t.type, children: toInlines(t.tokens, inLink) });
      return;
    case 'link':
      addLink(nodes, t, inLink);
      return;
    case 'image':
      nodes.push({
        kind: 'image',
        alt: plainText(toInlines(t.tokens, true)),
        href: inLink ? undefined : safeLinkHref(decodeEntities(t.href)),
      });
      return;
    case 'br':
      nodes.push({ kind: 'break' });
      return;
    case 'checkbox':
      nodes.push({ kind: 'checkbox', checked: t.checked });
      return;
    default:
      addText(nodes, token.raw);
  }
}

function addLink(nodes: MarkdownInlineNode[], link: Tokens.Link, inLink: boolean): void {
  // An autolink is literal: its text and destination are what was written (CommonMark §6.5).
  const children: MarkdownInlineNode[] = link.autolink
    ? [{ kind: 'text', text: link.text }]
    : toInlines(link.tokens, true);
  const href = safeLinkHref(link.autolink ? link.href : decodeEntities(link.href));
  if (href === undefined || inLink) {
    addAll(nodes, children); // Not a link we may make: its text stays.
    return;
  }
  const title = decodeEntities(link.title ?? '');
  nodes.push({ kind: 'link', href, title, text: plainText(children), children });
}

/** Appends `text`, joined to a text node just before it (fewer DOM nodes, same output). */
function addText(nodes: MarkdownInlineNode[], text: string): void {
  const last = nodes.at(-1);
  if (last?.kind === 'text') nodes[nodes.length - 1] = { kind: 'text', text: last.text + text };
  else if (text !== '') nodes.push({ kind: 'text', text });
}

function addAll(nodes: MarkdownInlineNode[], more: readonly MarkdownInlineNode[]): void {
  for (const node of more) {
    if (node.kind === 'text') addText(nodes, node.text);
    else nodes.push(node);
  }
}

/** Inline content as plain text, for an image's alt text and a link's accessible name. */
function plainText(nodes: readonly MarkdownInlineNode[]): string {
  return nodes
    .map((node) => {
      switch (node.kind) {
        case 'text':
        case 'code':
          return node.text;
        case 'strong':
        case 'em':
        case 'del':
        case 'link':
          return plainText(node.children);
        case 'image':
          return node.alt;
        case 'break':
          return ' ';
        case 'checkbox':
          return '';
      }
    })
    .join('');
}
