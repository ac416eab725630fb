import { ComponentFixture, TestBed } from '@angular/core/testing';
import * as highlighting from './markdown-highlight';
import { MarkdownView } from './markdown-view';

async function render(text: string, streaming = false): Promise<HTMLElement> {
  return (await fixtureOf(text, streaming)).nativeElement as HTMLElement;
}

async function fixtureOf(text: string, streaming = false): Promise<ComponentFixture<MarkdownView>> {
  const fixture = TestBed.createComponent(MarkdownView);
  fixture.componentRef.setInput('text', text);
  fixture.componentRef.setInput('streaming', streaming);
  await fixture.whenStable();
  return fixture;
}

function all(view: HTMLElement, selector: string): Element[] {
  return [...view.querySelectorAll(selector)];
}

describe('MarkdownView', () => {
  it('renders paragraphs, lists, strong text, inline code and code blocks as elements', async () => {
    const view = await render('Hello **world**.\n\n- use `npm`\n- done\n\n```sh\nnpm start\n```');

    expect(all(view, 'p').map((p) => p.textContent)).toEqual(['Hello world.']);
    expect(view.querySelector('strong')?.textContent).toBe('world');
    expect(all(view, 'ul > li').map((li) => li.textContent)).toEqual(['use npm', 'done']);
    expect(view.querySelector('li code')?.textContent).toBe('npm');
    expect(view.querySelector('pre code')?.textContent).toBe('npm start');
    expect(view.querySelector('.code-language')?.textContent).toBe('sh');
  });

  it('adds no stray spaces around formatted text', async () => {
    const view = await render('a **b** `c`d *e* ~~f~~');

    expect(view.querySelector('p')?.textContent).toBe('a b cd e f');
  });

  it('renders headings, emphasis, strikethrough, quotes, rules and hard line breaks', async () => {
    const view = await render(
      '# Big\n\n### Small\n\n*em* ~~gone~~\n\n> quoted\n\n---\n\nline  \nbreak',
    );

    const headings = all(view, '[role="heading"]');
    expect(headings.map((h) => [h.textContent, h.getAttribute('aria-level')])).toEqual([
      ['Big', '3'],
      ['Small', '5'],
    ]);
    expect(view.querySelector('em')?.textContent).toBe('em');
    expect(view.querySelector('del')?.textContent).toBe('gone');
    expect(view.querySelector('blockquote')?.textContent).toBe('quoted');
    expect(view.querySelector('hr')).not.toBeNull();
    expect(all(view, 'p').at(-1)?.querySelector('br')).not.toBeNull();
    expect(all(view, 'p').at(-1)?.textContent).toBe('linebreak');
  });

  it('renders an ordered list from its start number, with a nested list in its item', async () => {
    const view = await render('3. three\n   - inner\n4. four');

    const list = view.querySelector('ol');
    expect(list?.getAttribute('start')).toBe('3');
    expect(
      list?.querySelector(':scope > li:first-child > app-markdown-blocks > ul > li')?.textContent,
    ).toBe('inner');
  });

  it('renders task list items with a disabled checkbox holding their state', async () => {
    const view = await render('- [x] done\n- [ ] to do');

    const boxes = all(view, 'li.task input[type="checkbox"]') as HTMLInputElement[];
    expect(boxes.map((box) => [box.checked, box.disabled, box.getAttribute('aria-label')])).toEqual(
      [
        [true, true, 'Done'],
        [false, true, 'Not done'],
      ],
    );
    expect(all(view, 'li').map((li) => li.textContent)).toEqual(['done', 'to do']);
  });

  it('renders a table in a scrolling region, header cells scoped to their column, aligned', async () => {
    const view = await render('| Name | Count |\n|:-----|------:|\n| a | 1 |\n| b | 22 |');

    const region = view.querySelector('.table-scroll');
    expect(region?.getAttribute('role')).toBe('region');
    expect(region?.getAttribute('tabindex')).toBe('0');
    expect(region?.getAttribute('aria-label')).toBe('Table');
    const headers = all(view, 'table thead th') as HTMLElement[];
    expect(
      headers.map((th) => [th.textContent, th.getAttribute('scope'), th.style.textAlign]),
    ).toEqual([
      ['Name', 'col', 'left'],
      ['Count', 'col', 'right'],
    ]);
    const cells = all(view, 'table tbody tr:last-child td') as HTMLElement[];
    expect(cells.map((td) => [td.textContent, td.style.textAlign])).toEqual([
      ['b', 'left'],
      ['22', 'right'],
    ]);
  });

  it('opens a safe link in a new tab without an opener or referrer, and says so', async () => {
    const view = await render('See [the **docs**](https://example.com/docs "Docs").');

    const link = view.querySelector('a');
    expect(link?.getAttribute('href')).toBe('https://example.com/docs');
    expect(link?.getAttribute('target')).toBe('_blank');
    expect(link?.getAttribute('rel')).toBe('noopener noreferrer');
    expect(link?.getAttribute('title')).toBe('Docs');
    expect(link?.getAttribute('aria-label')).toBe('the docs (opens in a new tab)');
    expect(link?.querySelector('strong')?.textContent).toBe('docs');
    expect(view.querySelector('p')?.textContent).toBe('See the docs.');
  });

  it('links autolinks and mail addresses too', async () => {
    const view = await render('<https://a.example> www.b.example c@d.example');

    expect(all(view, 'a').map((a) => a.getAttribute('href'))).toEqual([
      'https://a.example/',
      'http://www.b.example/',
      'mailto:c@d.example',
    ]);
  });

  it.each([
    'javascript:alert(1)',
    'JAVASCRIPT:alert(1)',
    'data:text/html;base64,PHNjcmlwdD4=',
    'vbscript:msgbox(1)',
    '<java\tscript:alert(1)>',
    'java&#x0A;script:alert(1)',
    ' javascript:alert(1)',
    '/settings',
  ])('shows a link to %j as plain text, not a link', async (href) => {
    const view = await render(`Click [here](${href}) now`);

    expect(view.querySelector('a')).toBeNull();
    expect(view.querySelector('p')?.textContent).toBe('Click here now');
  });

  it('shows raw HTML as text and creates no element from it', async () => {
    const view = await render(
      '<script>alert(1)</script>\n\n<img src=x onerror="alert(2)"> <iframe src="https://x"></iframe>\n\n<div onclick="x()">\nhi\n</div>',
    );

    expect(view.querySelector('script, img, iframe, div[onclick]')).toBeNull();
    expect(view.textContent).toContain('<script>alert(1)</script>');
    expect(view.textContent).toContain('<img src=x onerror="alert(2)">');
    expect(view.textContent).toContain('<div onclick="x()">\nhi\n</div>');
  });

  it('never loads an image: it shows its alt text as a link to it', async () => {
    const view = await render(
      '![tracking pixel](http://tracker.example/p.gif) ![x](data:image/png;base64,AA)',
    );

    expect(view.querySelector('img')).toBeNull();
    const [link, ...others] = all(view, 'a');
    expect(others).toEqual([]);
    expect(link.getAttribute('href')).toBe('http://tracker.example/p.gif');
    expect(link.textContent).toBe('Image: tracking pixel');
    expect(view.querySelector('span.image')?.textContent).toBe('Image: x');
  });

  it('highlights a code block of a known language, alias included', async () => {
    const view = await render('```TS\nconst answer: number = 42; // why\n```');

    const code = view.querySelector('pre code.hljs');
    expect(code?.textContent).toBe('const answer: number = 42; // why');
    expect(code?.querySelector('.hljs-keyword')?.textContent).toBe('const');
    expect(code?.querySelector('.hljs-comment')?.textContent).toBe('// why');
  });

  it('escapes markup in highlighted code: it stays text', async () => {
    const view = await render(
      '```html\n<script>alert(1)</script><img src=x onerror=alert(2)>\n```',
    );

    expect(view.querySelector('script, img')).toBeNull();
    expect(view.querySelector('pre code')?.textContent).toBe(
      '<script>alert(1)</script><img src=x onerror=alert(2)>',
    );
  });

  it('shows code of an unknown or absent language as plain text, with no guessing', async () => {
    const view = await render('```brainfuck\n+[-->-[>>+>-----<<]<--<---]\n```\n\n    const a = 1;');

    const blocks = all(view, 'pre code');
    expect(
      blocks.map((code) => [code.textContent, code.querySelectorAll('[class*="hljs"]').length]),
    ).toEqual([
      ['+[-->-[>>+>-----<<]<--<---]', 0],
      ['const a = 1;', 0],
    ]);
    expect(all(view, '.code-language').map((label) => label.textContent)).toEqual([
      'brainfuck',
      'code',
    ]);
  });

  it('leaves the DOM of settled blocks untouched as the reply grows', async () => {
    const start = '# Title\n\nFirst paragraph with **bold**.\n\n```ts\nconst a = 1;\n```\n\n';
    const fixture = await fixtureOf(`${start}Still wri`, true);
    const view = fixture.nativeElement as HTMLElement;
    const heading = view.querySelector('[role="heading"]');
    const first = view.querySelector('p:not(.heading)');
    const code = view.querySelector('pre');
    const changes: MutationRecord[] = [];
    const observer = new MutationObserver((records) => changes.push(...records));
    for (const node of [heading, first, code]) {
      observer.observe(node as Node, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
      });
    }

    const highlight = jest.spyOn(highlighting, 'highlightCodeLines');

    fixture.componentRef.setInput('text', `${start}Still writing.\n\n- one`);
    await fixture.whenStable();
    changes.push(...observer.takeRecords());
    observer.disconnect();
    const highlighted = highlight.mock.calls.map(([code]) => code);
    highlight.mockRestore();

    expect(view.querySelector('[role="heading"]')).toBe(heading);
    expect(view.querySelector('p:not(.heading)')).toBe(first);
    expect(view.querySelector('pre')).toBe(code);
    expect(changes).toEqual([]);
    expect(highlighted).toEqual([]); // The settled code block is the same object: not redone.
    expect(all(view, 'p').map((p) => p.textContent)).toEqual([
      'Title',
      'First paragraph with bold.',
      'Still writing.',
    ]);
    expect(view.querySelector('li')?.textContent).toBe('one');
  });

  it('renders a construct cut off mid-stream sensibly', async () => {
    expect((await render('see **bol', true)).querySelector('p')?.textContent).toBe('see **bol');
    // The destination is not closed yet: no link to "a link", only GFM's autolink of the URL.
    const link = await render('[a link](https://exa', true);
    expect(link.querySelector('p')?.textContent).toBe('[a link](https://exa');
    expect(all(link, 'a').map((a) => a.textContent)).toEqual(['https://exa']);
    expect(
      (await render('```py\nprint(1)\nprint(', true)).querySelector('pre code')?.textContent,
    ).toBe('print(1)\nprint(');
  });

  it('shows a streaming code block whole while its highlighting catches up, the new text escaped', async () => {
    const fixture = await fixtureOf('```ts\nconst a = 1;', true);
    const view = fixture.nativeElement as HTMLElement;

    // The highlighter answers after this render: the start keeps its highlighting, the rest is text.
    fixture.componentRef.setInput(
      'text',
      "```ts\nconst a = 1;\nb = '<img src=x onerror=alert(1)>'; // b",
    );
    fixture.detectChanges();
    const code = () => view.querySelector('pre code.hljs');
    expect(code()?.textContent).toBe("const a = 1;\nb = '<img src=x onerror=alert(1)>'; // b");
    expect(code()?.querySelector('.hljs-keyword')?.textContent).toBe('const');
    expect(code()?.querySelector('img, .hljs-comment')).toBeNull();

    await fixture.whenStable();
    expect(code()?.textContent).toBe("const a = 1;\nb = '<img src=x onerror=alert(1)>'; // b");
    expect(code()?.querySelector('.hljs-comment')?.textContent).toBe('// b');
    expect(view.querySelector('img')).toBeNull();
  });

  it('leaves the first lines of a long code block untouched as more lines stream in', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => `const line${i} = ${i}; // ${i}`);
    const fixture = await fixtureOf(`\`\`\`ts\n${lines.join('\n')}`, true);
    const view = fixture.nativeElement as HTMLElement;
    const first = view.querySelector('pre code.hljs > span') as Element;
    const changes: MutationRecord[] = [];
    const observer = new MutationObserver((records) => changes.push(...records));
    observer.observe(first, { subtree: true, childList: true, characterData: true });

    fixture.componentRef.setInput('text', `\`\`\`ts\n${lines.join('\n')}\nconst more = 1;`);
    await fixture.whenStable();
    changes.push(...observer.takeRecords());
    observer.disconnect();

    expect(view.querySelector('pre code.hljs > span')).toBe(first);
    expect(changes).toEqual([]);
    expect(first.textContent).toBe(lines.slice(0, 16).join('\n') + '\n');
    expect(view.querySelector('pre code')?.textContent).toBe(
      `${lines.join('\n')}\nconst more = 1;`,
    );
    expect(view.querySelectorAll('pre .hljs-comment')).toHaveLength(40);
  });

  it('puts the streaming cursor at the end of the last block, inside an unclosed code block', async () => {
    const view = await render('Intro\n\n```js\nconst a', true);

    const cursors = view.querySelectorAll('.cursor');
    expect(cursors).toHaveLength(1);
    expect(cursors[0].parentElement?.matches('pre')).toBe(true);
    expect(cursors[0].previousElementSibling?.matches('code')).toBe(true);
  });

  it('puts the cursor in the last item of a list', async () => {
    const view = await render('- a\n- b', true);

    expect(view.querySelector('li:last-child .cursor')).not.toBeNull();
    expect(view.querySelectorAll('.cursor')).toHaveLength(1);
  });

  it('puts the cursor in the last cell of a table', async () => {
    const view = await render('| a | b |\n|---|---|\n| 1 | 2', true);

    expect(view.querySelector('tbody tr:last-child td:last-child .cursor')).not.toBeNull();
    expect(view.querySelectorAll('.cursor')).toHaveLength(1);
  });

  it('copies a code block to the clipboard and says so, for two seconds', async () => {
    const writeText = jest.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText } });
    try {
      const fixture = await fixtureOf('```sh\nnpm start\n```');
      const copy = (fixture.nativeElement as HTMLElement).querySelector('button.copy');
      expect(copy?.getAttribute('aria-label')).toBe('Copy code');
      jest.useFakeTimers();

      (copy as HTMLButtonElement).click();
      await writeText.mock.results[0].value;
      fixture.detectChanges();

      expect(writeText).toHaveBeenCalledWith('npm start');
      expect(copy?.textContent?.trim()).toBe('Copied');
      expect(copy?.getAttribute('aria-label')).toBe('Copied');

      jest.advanceTimersByTime(1999);
      fixture.detectChanges();
      expect(copy?.textContent?.trim()).toBe('Copied');
      jest.advanceTimersByTime(1);
      fixture.detectChanges();
      expect(copy?.textContent?.trim()).toBe('Copy');
    } finally {
      Reflect.deleteProperty(navigator, 'clipboard');
      jest.useRealTimers();
    }
  });

  it('offers no copy button where the clipboard is unavailable', async () => {
    const view = await render('```sh\nnpm start\n```');

    expect(view.querySelector('button.copy')).toBeNull();
  });

  it('shows the cursor alone before any text arrives, and none once the reply ended', async () => {
    expect((await render('', true)).querySelectorAll('.cursor')).toHaveLength(1);
    expect((await render('Done.', false)).querySelector('.cursor')).toBeNull();
  });
});
