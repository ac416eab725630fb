/**
 * A small, safe subset of Markdown for assistant replies, parsed into plain data that a template
 * renders with text bindings only (never `innerHTML`), so no reply can inject markup.
 *
 * Supported: paragraphs, headings, `-`/`*`/`+` and `1.` lists (nested by indentation), fenced code
 * blocks, block quotes, rules, inline `code`, **strong** and *emphasis*. Anything else stays text.
 * A reply is parsed again as it grows, so every construct tolerates being cut off: an unclosed fence
 * is code up to the end, an unclosed `**` or backtick lasts to the end of its block.
 */

/** A run of inline text with its formatting. */
export interface InlineSpan {
  kind: 'text' | 'code';
  text: string;
  strong: boolean;
  em: boolean;
}

/** One item of a list: its own blocks (usually one paragraph, sometimes a nested list). */
export interface ListItem {
  blocks: MarkdownBlock[];
}

/** A block of a parsed reply, in reading order. */
export type MarkdownBlock =
  | { kind: 'paragraph'; spans: InlineSpan[] }
  | { kind: 'heading'; level: number; spans: InlineSpan[] }
  | { kind: 'list'; ordered: boolean; start: number; items: ListItem[] }
  | { kind: 'code'; language: string; code: string; closed: boolean }
  | { kind: 'quote'; blocks: MarkdownBlock[] }
  | { kind: 'rule' };

/** Parses `text` (complete or still arriving) into blocks. */
export function parseMarkdown(text: string): MarkdownBlock[] {
  return parseBlocks(text.replace(/\r\n?/g, '\n').split('\n'));
}

const FENCE_OPEN = /^( {0,3})(`{3,}|~{3,})[ \t]*([^\s`]*)[^`]*$/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const QUOTE = /^ {0,3}> ?(.*)$/;
const LIST_ITEM = /^([ \t]*)([-*+]|\d{1,9}[.)])(?:([ \t]+)(.*)|$)/;

interface ItemStart {
  indent: number;
  ordered: boolean;
  number: number;
  /** The column where the item's text starts; deeper lines belong to the item. */
  contentIndent: number;
  text: string;
}

function parseBlocks(lines: readonly string[]): MarkdownBlock[] {
  const blocks: MarkdownBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (isBlank(line)) {
      i++;
      continue;
    }
    const fence = FENCE_OPEN.exec(line);
    if (fence) {
      i = parseFence(lines, i, fence, blocks);
      continue;
    }
    if (RULE.test(line)) {
      blocks.push({ kind: 'rule' });
      i++;
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      blocks.push({
        kind: 'heading',
        level: heading[1].length,
        spans: parseInline(heading[2] ?? ''),
      });
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const quoted: string[] = [];
      while (i < lines.length && !isBlank(lines[i])) {
        const match = QUOTE.exec(lines[i]);
        if (!match && startsBlock(lines[i], true)) break;
        quoted.push(match ? match[1] : lines[i]);
        i++;
      }
      blocks.push({ kind: 'quote', blocks: parseBlocks(quoted) });
      continue;
    }
    const item = listItemOf(line);
    if (item) {
      i = parseList(lines, i, item, blocks);
      continue;
    }
    const paragraph = [line.trim()];
    i++;
    while (i < lines.length && !isBlank(lines[i]) && !startsBlock(lines[i], true)) {
      paragraph.push(lines[i].trim());
      i++;
    }
    blocks.push({ kind: 'paragraph', spans: parseInline(paragraph.join('\n')) });
  }
  return blocks;
}

function parseFence(
  lines: readonly string[],
  start: number,
  fence: RegExpExecArray,
  blocks: MarkdownBlock[],
): number {
  const [, indent, marker, language] = fence;
  const closing = new RegExp(`^ {0,3}${marker[0]}{${marker.length},}[ \\t]*$`);
  const code: string[] = [];
  let i = start + 1;
  while (i < lines.length && !closing.test(lines[i])) {
    code.push(stripIndent(lines[i], indent.length));
    i++;
  }
  const closed = i < lines.length;
  blocks.push({ kind: 'code', language, code: code.join('\n'), closed });
  return closed ? i + 1 : i;
}

function parseList(
  lines: readonly string[],
  start: number,
  first: ItemStart,
  blocks: MarkdownBlock[],
): number {
  const items: ListItem[] = [];
  let i = start;
  let item: ItemStart | undefined = first;
  while (item) {
    const content = [item.text];
    i++;
    let next: ItemStart | undefined;
    while (i < lines.length) {
      const line = lines[i];
      if (isBlank(line)) {
        // A blank line ends the item unless what follows it still belongs to the item or the list.
        const after = lines.slice(i + 1).findIndex((l) => !isBlank(l));
        if (after === -1) break;
        const following = lines[i + 1 + after];
        if (indentOf(following) >= item.contentIndent) {
          content.push('');
          i++;
          continue;
        }
        const sibling = listItemOf(following);
        if (sibling && isSibling(sibling, first, item)) {
          i += 1 + after;
          next = sibling;
        }
        break;
      }
      if (indentOf(line) >= item.contentIndent) {
        content.push(stripIndent(line, item.contentIndent));
        i++;
        continue;
      }
      const sibling = listItemOf(line);
      if (sibling && isSibling(sibling, first, item)) {
        next = sibling;
        break;
      }
      if (startsBlock(line, false)) break;
      // A lazy continuation line of the item's paragraph.
      content.push(line.trim());
      i++;
    }
    items.push({ blocks: parseBlocks(content) });
    item = next;
  }
  blocks.push({ kind: 'list', ordered: first.ordered, start: first.number, items });
  return i;
}

function isSibling(candidate: ItemStart, first: ItemStart, current: ItemStart): boolean {
  return candidate.ordered === first.ordered && candidate.indent < current.contentIndent;
}

function listItemOf(line: string): ItemStart | undefined {
  const match = LIST_ITEM.exec(line);
  if (!match) return undefined;
  const [, leading, marker, gap = '', text = ''] = match;
  const indent = columns(leading);
  const ordered = /\d/.test(marker[0]);
  // A gap of five or more spaces would be indented code in CommonMark; count it as one space.
  const gapWidth = gap.length > 4 ? 1 : Math.max(gap.length, 1);
  return {
    indent,
    ordered,
    number: ordered ? Number.parseInt(marker, 10) : 1,
    contentIndent: indent + marker.length + gapWidth,
    text: gap.length > 4 ? gap.slice(1) + text : text,
  };
}

/** Whether `line` starts a block other than a paragraph line (so it interrupts a paragraph). */
function startsBlock(line: string, inParagraph: boolean): boolean {
  if (FENCE_OPEN.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line)) {
    return true;
  }
  const item = listItemOf(line);
  if (!item || item.indent > 3) return false;
  // As in CommonMark, only an ordered list starting at 1 interrupts a paragraph ("in\n2024. we…").
  return !inParagraph || !item.ordered || item.number === 1;
}

function isBlank(line: string): boolean {
  return line.trim() === '';
}

function columns(whitespace: string): number {
  return whitespace.replace(/\t/g, '    ').length;
}

function indentOf(line: string): number {
  return columns(/^[ \t]*/.exec(line)?.[0] ?? '');
}

function stripIndent(line: string, width: number): string {
  let removed = 0;
  let i = 0;
  while (i < line.length && removed < width && (line[i] === ' ' || line[i] === '\t')) {
    removed += line[i] === '\t' ? 4 : 1;
    i++;
  }
  return line.slice(i);
}

const EMPHASIS =
  /(?<![\w*])\*(?![\s*])([^*\n]*?[^\s*])\*(?![\w*])|(?<![\w_])_(?![\s_])([^_\n]*?[^\s_])_(?![\w_])/g;

/** Parses the inline formatting of one block's text. */
export function parseInline(text: string): InlineSpan[] {
  const spans: InlineSpan[] = [];
  let strong = false;
  let plain = '';
  const flush = (): void => {
    if (plain) spans.push(...emphasised(plain, strong));
    plain = '';
  };
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (char === '`') {
      const run = runLength(text, i, '`');
      const close = findRun(text, i + run, '`', run);
      flush();
      const end = close === -1 ? text.length : close;
      const code = trimCodeSpan(text.slice(i + run, end));
      if (code) spans.push({ kind: 'code', text: code, strong, em: false });
      i = close === -1 ? text.length : close + run;
      continue;
    }
    if (char === '*' && text[i + 1] === '*') {
      const before = text[i - 1];
      const after = text[i + 2];
      const opens = !strong && after !== undefined && /\S/.test(after) && after !== '*';
      const closes = strong && before !== undefined && /\S/.test(before);
      if (opens || closes) {
        flush();
        strong = !strong;
        i += 2;
        continue;
      }
    }
    plain += char;
    i++;
  }
  flush();
  return spans;
}

function emphasised(text: string, strong: boolean): InlineSpan[] {
  const spans: InlineSpan[] = [];
  let last = 0;
  for (const match of text.matchAll(EMPHASIS)) {
    if (match.index > last) {
      spans.push({ kind: 'text', text: text.slice(last, match.index), strong, em: false });
    }
    spans.push({ kind: 'text', text: match[1] ?? match[2], strong, em: true });
    last = match.index + match[0].length;
  }
  if (last < text.length) spans.push({ kind: 'text', text: text.slice(last), strong, em: false });
  return spans;
}

function runLength(text: string, from: number, char: string): number {
  let end = from;
  while (text[end] === char) end++;
  return end - from;
}

/** The index of the next run of exactly `length` `char`s at or after `from`, or -1. */
function findRun(text: string, from: number, char: string, length: number): number {
  let i = text.indexOf(char, from);
  while (i !== -1) {
    const run = runLength(text, i, char);
    if (run === length) return i;
    i = text.indexOf(char, i + run);
  }
  return -1;
}

function trimCodeSpan(code: string): string {
  const flat = code.replace(/\n/g, ' ');
  return flat.length > 2 && flat.startsWith(' ') && flat.endsWith(' ') ? flat.slice(1, -1) : flat;
}
