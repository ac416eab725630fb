import type { MarkedToken, Token, Tokens } from 'marked';
import { decodeEntities } from './markdown-entities';
import { safeLinkHref } from './markdown-link';
import type {
  MarkdownBlock,
  MarkdownInlineNode,
  MarkdownListItem,
  MarkdownTableCell,
} from './markdown-nodes';

/*
 * marked's tokens as plain data: raw HTML stays the text it is, an image becomes a link to follow
 * (never loaded), and only links that pass `safeLinkHref` are links.
 */

function toBlocks(tokens: readonly Token[]): MarkdownBlock[] {
  return tokens.map(toBlock).filter((block) => block !== undefined);
}

/** The block a top-level token of `marked` shows as; undefined for one that shows nothing. */
export function toBlock(token: Token): MarkdownBlock | undefined {
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
