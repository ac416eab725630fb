/**
 * A reply's Markdown (CommonMark with GitHub's extensions), lexed by `marked` and turned into plain
 * data that templates render with text bindings: no HTML is ever made from the reply, so a reply
 * can inject no markup. Raw HTML in it is shown as the text it is, images become links to follow
 * (never loaded), and only `http:`, `https:` and `mailto:` links are links.
 *
 * A streamed reply is parsed as it grows, and only its tail is lexed again: see `appendMarkdown`.
 */
import { Lexer, type Links, type Token, type Tokens } from 'marked';
import type { MarkdownBlock } from './markdown-nodes';
import { toBlock } from './markdown-tokens';

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
