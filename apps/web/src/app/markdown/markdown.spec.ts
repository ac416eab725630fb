import { Lexer } from 'marked';
import { MarkdownState, appendMarkdown, parseMarkdown } from './markdown';
import { MarkdownBlock, MarkdownInlineNode } from './markdown-nodes';

function blocksOf(text: string): readonly MarkdownBlock[] {
  return parseMarkdown(text).blocks;
}

function text(value: string): MarkdownInlineNode {
  return { kind: 'text', text: value };
}

function paragraph(...content: MarkdownInlineNode[]): MarkdownBlock {
  return { kind: 'paragraph', content };
}

/** The only block of `markdown`'s first paragraph's content. */
function inlineOf(markdown: string): readonly MarkdownInlineNode[] {
  const [block] = blocksOf(markdown);
  if (block?.kind !== 'paragraph') throw new Error(`not a paragraph: ${JSON.stringify(block)}`);
  return block.content;
}

/** Replies that use every construct, each read again at every split point. */
const FIXTURES = [
  [
    '# Title\nIntro para\nsecond line\n\n- a\n- b\n\n  cont\n- c\n\n1. x\n2. y\n\n```ts\nconst a = 1;',
    '\n\n\nx\n```\nafter\n\n    indented\n\n    more\n\n> quote\nlazy\n> more\n\n---\n\n| a | b |',
    '\n|:-|-:|\n| 1 | 2 |\n| 3 | 4 |\n\npara\n| x | y |\n|---|---|\n| 1 | 2 |\n\nSetext\n===\n\n',
    'Setext2\n---\n\n<div>\nhtml\n</div>\n\ntext <b>x</b>\n\n- [ ] task\n- [x] done\n\n* loose\n\n* list\n\nend',
  ].join(''),
  'a\n- b\n1. c\n2) d\n\n* * *\n***bold em***\n\n```\nunclosed',
  'para\n    not code\n# h\n> q\n- l\n\n\n\n   ~~~\n   x\n   ~~~~\n[ref]: http://x.y\n\n[a][ref] and [ref]\n',
  '- a\n  - b\n    - c\n\n      para in c\n  - d\n- e\n\n> - q1\n> - q2\n>\n> para\n\n1. one\n\n   ```\n   code in item\n   ```\n2. two',
  'Hello **world** and *em* ~~del~~ `code` <https://a.b> www.c.d e@f.gh\n\n|a|\n|-|\n|b|\nafter table\n\nx  \ny\\\nz',
  '<script>\nalert(1)\n</script>\n\n<!-- c -->\nafter\n\n![alt](http://t/p.gif) [x](javascript:alert(1)) &copy; &#169;',
  '> a\n\n> b\n\n> ```\n> x\n> ```\nlazy\n\npara\n#notheading\n\n|a|\n|-|\n-b\n#c\n\n[d]: http://x\n"title"\n',
  '    a\n\n    b\n\n\n    c\nd\n\n1. a\n\n2. b\n\n\n3. c\n\n[3) q\n- [ ] t',
];

describe('parseMarkdown', () => {
  it('gives no blocks for empty or blank text', () => {
    expect(blocksOf('')).toEqual([]);
    expect(blocksOf('\n  \n')).toEqual([]);
  });

  it('splits paragraphs at blank lines and keeps the line breaks inside one in its text', () => {
    expect(blocksOf('One\ntwo\n\nThree')).toEqual([
      paragraph(text('One\ntwo')),
      paragraph(text('Three')),
    ]);
  });

  it('treats Windows line endings like Unix ones', () => {
    expect(blocksOf('One\r\n\r\nTwo')).toEqual([paragraph(text('One')), paragraph(text('Two'))]);
  });

  it('parses ATX and setext headings with their level', () => {
    expect(blocksOf('## Two\n\nOne\n===')).toEqual([
      { kind: 'heading', level: 2, content: [text('Two')] },
      { kind: 'heading', level: 1, content: [text('One')] },
    ]);
  });

  it('parses emphasis, strong text, strikethrough and inline code, nested', () => {
    expect(inlineOf('*a* **b *c*** ~~d~~ `**e**`')).toEqual([
      { kind: 'em', children: [text('a')] },
      text(' '),
      { kind: 'strong', children: [text('b '), { kind: 'em', children: [text('c')] }] },
      text(' '),
      { kind: 'del', children: [text('d')] },
      text(' '),
      { kind: 'code', text: '**e**' },
    ]);
  });

  it('parses hard line breaks, by two spaces or a backslash', () => {
    expect(inlineOf('a  \nb\\\nc')).toEqual([
      text('a'),
      { kind: 'break' },
      text('b'),
      { kind: 'break' },
      text('c'),
    ]);
  });

  it('parses ordered lists with their start number, with a nested list inside its item', () => {
    expect(blocksOf('3. c\n   - c1\n4. d')).toEqual([
      {
        kind: 'list',
        ordered: true,
        start: 3,
        items: [
          {
            task: false,
            blocks: [
              { kind: 'text', content: [text('c')] },
              {
                kind: 'list',
                ordered: false,
                start: 1,
                items: [{ task: false, blocks: [{ kind: 'text', content: [text('c1')] }] }],
              },
            ],
          },
          { task: false, blocks: [{ kind: 'text', content: [text('d')] }] },
        ],
      },
    ]);
  });

  it('gives the items of a loose list paragraphs', () => {
    expect(blocksOf('- a\n\n- b')).toEqual([
      {
        kind: 'list',
        ordered: false,
        start: 1,
        items: [
          { task: false, blocks: [paragraph(text('a'))] },
          { task: false, blocks: [paragraph(text('b'))] },
        ],
      },
    ]);
  });

  it('starts a task item, tight or loose, with a checkbox holding its state', () => {
    const tight = blocksOf('- [x] done\n- [ ] to do');
    const loose = blocksOf('- [x] done\n\n- [ ] to do');

    expect(tight).toEqual([
      {
        kind: 'list',
        ordered: false,
        start: 1,
        items: [
          {
            task: true,
            blocks: [
              { kind: 'text', content: [{ kind: 'checkbox', checked: true }, text('done')] },
            ],
          },
          {
            task: true,
            blocks: [
              { kind: 'text', content: [{ kind: 'checkbox', checked: false }, text('to do')] },
            ],
          },
        ],
      },
    ]);
    const [list] = loose;
    expect(list.kind === 'list' && list.items[1]).toEqual({
      task: true,
      blocks: [paragraph({ kind: 'checkbox', checked: false }, text('to do'))],
    });
  });

  it('parses block quotes and rules', () => {
    expect(blocksOf('> quoted\n> - item\n\n---')).toEqual([
      {
        kind: 'quote',
        blocks: [
          paragraph(text('quoted')),
          {
            kind: 'list',
            ordered: false,
            start: 1,
            items: [{ task: false, blocks: [{ kind: 'text', content: [text('item')] }] }],
          },
        ],
      },
      { kind: 'rule' },
    ]);
  });

  it('parses a table with the alignment of each column', () => {
    expect(blocksOf('| a | **b** | c | d |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |')).toEqual([
      {
        kind: 'table',
        header: [
          { align: 'left', content: [text('a')] },
          { align: 'center', content: [{ kind: 'strong', children: [text('b')] }] },
          { align: 'right', content: [text('c')] },
          { align: null, content: [text('d')] },
        ],
        rows: [
          [
            { align: 'left', content: [text('1')] },
            { align: 'center', content: [text('2')] },
            { align: 'right', content: [text('3')] },
            { align: null, content: [text('4')] },
          ],
        ],
      },
    ]);
  });

  it('parses fenced code with the first word of its info string as its language, verbatim', () => {
    expect(
      blocksOf('Run:\n\n```sh title="x"\nnpm  start\n  **not bold** &amp;\n```\nAfter'),
    ).toEqual([
      paragraph(text('Run:')),
      { kind: 'code', language: 'sh', code: 'npm  start\n  **not bold** &amp;' },
      paragraph(text('After')),
    ]);
  });

  it('parses indented code, with no language', () => {
    expect(blocksOf('Code:\n\n    a <b>\n      c')).toEqual([
      paragraph(text('Code:')),
      { kind: 'code', language: '', code: 'a <b>\n  c' },
    ]);
  });

  it('shows an unclosed fence as code up to the end (a reply still arriving)', () => {
    expect(blocksOf('```ts\nconst a = 1;\ncon')).toEqual([
      { kind: 'code', language: 'ts', code: 'const a = 1;\ncon' },
    ]);
  });

  it('shows an unclosed ** or backtick as the text it is (a reply still arriving)', () => {
    expect(blocksOf('see **bol')).toEqual([paragraph(text('see **bol'))]);
    expect(blocksOf('run `npm')).toEqual([paragraph(text('run `npm'))]);
  });

  it('decodes character references in text, once, and leaves code and unknown names alone', () => {
    expect(inlineOf('&copy; &#169; &#xA9; &amp;lt; &bogus; `&amp;`')).toEqual([
      text('© © © &lt; &bogus; '),
      { kind: 'code', text: '&amp;' },
    ]);
  });

  it('keeps raw HTML, a block or inline, as the text it is', () => {
    expect(blocksOf('<script>alert(1)</script>\n\nan <img src=x onerror="alert(2)"> here')).toEqual(
      [
        { kind: 'literal', text: '<script>alert(1)</script>' },
        paragraph(text('an <img src=x onerror="alert(2)"> here')),
      ],
    );
  });

  it('makes links of http, https and mailto URLs, with their title and plain text', () => {
    expect(inlineOf('[the **docs**](https://example.com/a?b=1&amp;c=2 "Docs &amp; more")')).toEqual(
      [
        {
          kind: 'link',
          href: 'https://example.com/a?b=1&c=2',
          title: 'Docs & more',
          text: 'the docs',
          children: [text('the '), { kind: 'strong', children: [text('docs')] }],
        },
      ],
    );
    expect(inlineOf('[mail](mailto:a@b.c)')).toEqual([
      { kind: 'link', href: 'mailto:a@b.c', title: '', text: 'mail', children: [text('mail')] },
    ]);
  });

  it.each([
    ['javascript:alert(1)'],
    ['JavaScript:alert(1)'],
    ['data:text/html,<script>alert(1)</script>'],
    ['vbscript:msgbox(1)'],
    ['<java\tscript:alert(1)>'],
    ['java&#9;script:alert(1)'],
    ['&#x01;javascript:alert(1)'],
    ['/relative/path'],
    ['../up'],
    ['//evil.example/x'],
    ['#anchor'],
  ])('keeps a link to %j as its text only', (href) => {
    expect(inlineOf(`a [click](${href}) b`)).toEqual([text('a click b')]);
  });

  it('keeps autolinks literal, GitHub www and email autolinks included', () => {
    expect(inlineOf('<https://a.b/&amp;> www.c.d e@f.gh')).toEqual([
      {
        kind: 'link',
        href: 'https://a.b/&amp;',
        title: '',
        text: 'https://a.b/&amp;',
        children: [text('https://a.b/&amp;')],
      },
      text(' '),
      {
        kind: 'link',
        href: 'http://www.c.d/',
        title: '',
        text: 'www.c.d',
        children: [text('www.c.d')],
      },
      text(' '),
      {
        kind: 'link',
        href: 'mailto:e@f.gh',
        title: '',
        text: 'e@f.gh',
        children: [text('e@f.gh')],
      },
    ]);
  });

  it('makes an image a reference with its alt text and a safe href, or none', () => {
    expect(
      inlineOf('![a *pixel*](http://tracker.example/p.gif) ![x](data:image/png;base64,AA)'),
    ).toEqual([
      { kind: 'image', alt: 'a pixel', href: 'http://tracker.example/p.gif' },
      text(' '),
      { kind: 'image', alt: 'x', href: undefined },
    ]);
  });

  it('gives an image inside a link no href of its own (a link cannot hold a link)', () => {
    expect(inlineOf('[![badge](https://img.example/b.svg)](https://example.com)')).toEqual([
      {
        kind: 'link',
        href: 'https://example.com/',
        title: '',
        text: 'badge',
        children: [{ kind: 'image', alt: 'badge', href: undefined }],
      },
    ]);
  });

  it('resolves reference links', () => {
    expect(blocksOf('[a]: https://example.com "T"\n\nSee [docs][a].')).toEqual([
      paragraph(
        text('See '),
        {
          kind: 'link',
          href: 'https://example.com/',
          title: 'T',
          text: 'docs',
          children: [text('docs')],
        },
        text('.'),
      ),
    ]);
  });

  it('parses every prefix of every fixture without throwing (as a reply streams in)', () => {
    for (const fixture of FIXTURES) {
      for (let end = 0; end <= fixture.length; end++) {
        expect(() => parseMarkdown(fixture.slice(0, end))).not.toThrow();
      }
    }
  });

  it('shows the text as written if the lexer fails, instead of throwing', () => {
    const lex = jest.spyOn(Lexer.prototype, 'lex').mockImplementation(() => {
      throw new Error('Infinite loop on byte: 42');
    });
    try {
      expect(blocksOf('**x**')).toEqual([{ kind: 'literal', text: '**x**' }]);
    } finally {
      lex.mockRestore();
    }
  });
});

describe('appendMarkdown', () => {
  const intro = '# Title\n\nFirst paragraph.\n\n```ts\nconst a = 1;\n```\n\n';

  it('keeps the very token and block objects of settled blocks when text is appended', () => {
    const before = parseMarkdown(`${intro}Still wri`);
    const after = appendMarkdown(before, `${intro}Still writing.\n\n- one`);

    expect(before.settledTokens).toBeGreaterThan(0);
    for (let i = 0; i < before.settledTokens; i++) expect(after.tokens[i]).toBe(before.tokens[i]);
    for (let i = 0; i < before.settledBlocks; i++) expect(after.blocks[i]).toBe(before.blocks[i]);
    expect(after.blocks.map((block) => block.kind)).toEqual([
      'heading',
      'paragraph',
      'code',
      'paragraph',
      'list',
    ]);
    expect(after.blocks[3]).not.toBe(before.blocks[3]); // The open block is read again.
  });

  it('lexes only the open tail, from where its first token starts', () => {
    const before = parseMarkdown(`${intro}Still wri`);
    const lex = jest.spyOn(Lexer.prototype, 'lex');
    try {
      appendMarkdown(before, `${intro}Still writing.`);

      expect(lex).toHaveBeenCalledTimes(1);
      expect(lex).toHaveBeenCalledWith('Still writing.');
      expect(before.openFrom).toBe(intro.length);
    } finally {
      lex.mockRestore();
    }
  });

  it('does no work when the text has not changed', () => {
    const state = parseMarkdown('Hello');

    expect(appendMarkdown(state, 'Hello')).toBe(state);
  });

  it('parses from scratch when the text is replaced rather than extended', () => {
    const before = parseMarkdown('First.\n\nSecond.');
    const after = appendMarkdown(before, 'Other.\n\nSecond.');

    expect(after.blocks).toEqual([paragraph(text('Other.')), paragraph(text('Second.'))]);
    expect(after.blocks[1]).not.toBe(before.blocks[1]);
  });

  it('lets a list item that arrives after a blank line join the list above', () => {
    const before = parseMarkdown('1. one\n\n   ```\n   code\n   ```\n\n2');
    const after = appendMarkdown(before, '1. one\n\n   ```\n   code\n   ```\n\n2. two');

    expect(after.blocks).toHaveLength(1);
    expect(after.blocks).toEqual(blocksOf('1. one\n\n   ```\n   code\n   ```\n\n2. two'));
  });

  it('resolves a reference in the tail to a definition settled before it', () => {
    const before = parseMarkdown('[a]: https://example.com\n\nIntro.\n\nSee [a');
    const after = appendMarkdown(before, '[a]: https://example.com\n\nIntro.\n\nSee [a].');

    expect(after.blocks.at(-1)).toEqual(
      paragraph(
        text('See '),
        { kind: 'link', href: 'https://example.com/', title: '', text: 'a', children: [text('a')] },
        text('.'),
      ),
    );
  });

  it('gives what a parse from scratch gives, at every split point and one character at a time', () => {
    const mismatches: string[] = [];
    const check = (state: MarkdownState, fixture: string, what: string): void => {
      const whole = parseMarkdown(fixture);
      if (
        JSON.stringify(state.tokens) !== JSON.stringify(whole.tokens) ||
        JSON.stringify(state.blocks) !== JSON.stringify(whole.blocks)
      ) {
        mismatches.push(`${what} of ${JSON.stringify(fixture)}`);
      }
    };
    for (const fixture of FIXTURES) {
      for (let split = 0; split <= fixture.length; split++) {
        const state = appendMarkdown(parseMarkdown(fixture.slice(0, split)), fixture);
        check(state, fixture, `split at ${split}`);
      }
      let state = parseMarkdown('');
      for (let end = 1; end <= fixture.length; end++) {
        state = appendMarkdown(state, fixture.slice(0, end));
      }
      check(state, fixture, 'one character at a time');
    }

    expect(mismatches).toEqual([]);
  });

  it('copes with a CRLF split between two deltas', () => {
    const before = parseMarkdown('One\r');
    const after = appendMarkdown(before, 'One\r\n\r\nTwo');

    expect(after.blocks).toEqual([paragraph(text('One')), paragraph(text('Two'))]);
  });
});
