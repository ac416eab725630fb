import { InlineSpan, MarkdownBlock, parseInline, parseMarkdown } from './markdown';

function text(value: string): InlineSpan {
  return { kind: 'text', text: value, strong: false, em: false };
}

function paragraph(...spans: InlineSpan[]): MarkdownBlock {
  return { kind: 'paragraph', spans };
}

/** A tight list item holding one paragraph of plain text. */
function item(value: string) {
  return { blocks: [paragraph(text(value))] };
}

describe('parseMarkdown', () => {
  it('gives no blocks for empty or blank text', () => {
    expect(parseMarkdown('')).toEqual([]);
    expect(parseMarkdown('\n  \n')).toEqual([]);
  });

  it('splits paragraphs at blank lines and keeps line breaks inside one', () => {
    expect(parseMarkdown('One\ntwo\n\nThree')).toEqual([
      paragraph(text('One\ntwo')),
      paragraph(text('Three')),
    ]);
  });

  it('treats Windows line endings like Unix ones', () => {
    expect(parseMarkdown('One\r\n\r\nTwo')).toEqual([
      paragraph(text('One')),
      paragraph(text('Two')),
    ]);
  });

  it('parses - and * bullet lists', () => {
    const list = { kind: 'list', ordered: false, start: 1, items: [item('a'), item('b')] };

    expect(parseMarkdown('- a\n- b')).toEqual([list]);
    expect(parseMarkdown('* a\n* b')).toEqual([list]);
  });

  it('parses ordered lists with their start number', () => {
    expect(parseMarkdown('3. c\n4. d')).toEqual([
      { kind: 'list', ordered: true, start: 3, items: [item('c'), item('d')] },
    ]);
  });

  it('lets a list interrupt a paragraph without a blank line', () => {
    expect(parseMarkdown('Options:\n- a\n- b\n\nDone.')).toEqual([
      paragraph(text('Options:')),
      { kind: 'list', ordered: false, start: 1, items: [item('a'), item('b')] },
      paragraph(text('Done.')),
    ]);
  });

  it('does not read a number ending a wrapped line as a list', () => {
    expect(parseMarkdown('It shipped in\n2024. Then more.')).toEqual([
      paragraph(text('It shipped in\n2024. Then more.')),
    ]);
  });

  it('keeps a list whose items are separated by blank lines as one list', () => {
    expect(parseMarkdown('1. a\n\n2. b')).toEqual([
      { kind: 'list', ordered: true, start: 1, items: [item('a'), item('b')] },
    ]);
  });

  it('nests an indented list inside the item above it', () => {
    expect(parseMarkdown('- a\n  - a1\n  - a2\n- b')).toEqual([
      {
        kind: 'list',
        ordered: false,
        start: 1,
        items: [
          {
            blocks: [
              paragraph(text('a')),
              { kind: 'list', ordered: false, start: 1, items: [item('a1'), item('a2')] },
            ],
          },
          item('b'),
        ],
      },
    ]);
  });

  it('parses a fenced code block with its language, keeping its text verbatim', () => {
    expect(parseMarkdown('Run:\n\n```sh\nnpm  start\n  **not bold**\n```\nAfter')).toEqual([
      paragraph(text('Run:')),
      { kind: 'code', language: 'sh', code: 'npm  start\n  **not bold**', closed: true },
      paragraph(text('After')),
    ]);
  });

  it('renders an unclosed fence as code up to the end (a reply still arriving)', () => {
    expect(parseMarkdown('```ts\nconst a = 1;\ncon')).toEqual([
      { kind: 'code', language: 'ts', code: 'const a = 1;\ncon', closed: false },
    ]);
  });

  it('does not close a fence with a shorter one', () => {
    expect(parseMarkdown('````\n```\n````')).toEqual([
      { kind: 'code', language: '', code: '```', closed: true },
    ]);
  });

  it('parses headings, quotes and rules', () => {
    expect(parseMarkdown('## Title\n> quoted\n\n---')).toEqual([
      { kind: 'heading', level: 2, spans: [text('Title')] },
      { kind: 'quote', blocks: [paragraph(text('quoted'))] },
      { kind: 'rule' },
    ]);
  });

  it('keeps markup-looking text as text: it is never HTML', () => {
    expect(parseMarkdown('<img src=x onerror="alert(1)"> & <script>')).toEqual([
      paragraph(text('<img src=x onerror="alert(1)"> & <script>')),
    ]);
  });

  it('parses the demo reply shape: paragraphs, a list with bold and code, a code block', () => {
    const reply = [
      'This is the **demo model**.',
      '- **OpenAI**: set `OPENAI_API_KEY`.\n- **Ollama**: set `OPENAI_BASE_URL`.',
      '```sh\nOPENAI_API_KEY=sk-... npm start\n```',
      'The end.',
    ].join('\n\n');

    expect(parseMarkdown(reply).map((block) => block.kind)).toEqual([
      'paragraph',
      'list',
      'code',
      'paragraph',
    ]);
  });

  it('parses every prefix of a reply without throwing (as it streams in)', () => {
    const reply =
      '# Hi\n\nSome **bold** and `code`.\n\n1. one\n   - nested\n2. two\n\n```js\nx()\n```\n> q';
    for (let end = 0; end <= reply.length; end++) {
      expect(() => parseMarkdown(reply.slice(0, end))).not.toThrow();
    }
  });
});

describe('parseInline', () => {
  it('parses **strong**, *emphasis* and `code`', () => {
    expect(parseInline('a **b** *c* `d`')).toEqual([
      text('a '),
      { kind: 'text', text: 'b', strong: true, em: false },
      text(' '),
      { kind: 'text', text: 'c', strong: false, em: true },
      text(' '),
      { kind: 'code', text: 'd', strong: false, em: false },
    ]);
  });

  it('keeps code inside strong text strong', () => {
    expect(parseInline('**set `KEY`**')).toEqual([
      { kind: 'text', text: 'set ', strong: true, em: false },
      { kind: 'code', text: 'KEY', strong: true, em: false },
    ]);
  });

  it('does not format inside code', () => {
    expect(parseInline('`**x** *y*`')).toEqual([
      { kind: 'code', text: '**x** *y*', strong: false, em: false },
    ]);
  });

  it('lets a longer backtick run hold a backtick', () => {
    expect(parseInline('``a ` b``')).toEqual([
      { kind: 'code', text: 'a ` b', strong: false, em: false },
    ]);
  });

  it('treats an unclosed ** or backtick as lasting to the end (a reply still arriving)', () => {
    expect(parseInline('see **bol')).toEqual([
      text('see '),
      { kind: 'text', text: 'bol', strong: true, em: false },
    ]);
    expect(parseInline('run `npm')).toEqual([
      text('run '),
      { kind: 'code', text: 'npm', strong: false, em: false },
    ]);
  });

  it('leaves stars that are not emphasis alone', () => {
    expect(parseInline('2 * 3 * 4 and a ** b')).toEqual([text('2 * 3 * 4 and a ** b')]);
    expect(parseInline('snake_case_name')).toEqual([text('snake_case_name')]);
  });
});
