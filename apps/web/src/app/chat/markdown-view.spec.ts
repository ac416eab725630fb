import { TestBed } from '@angular/core/testing';
import { MarkdownView } from './markdown-view';

async function render(text: string, streaming = false): Promise<HTMLElement> {
  const fixture = TestBed.createComponent(MarkdownView);
  fixture.componentRef.setInput('text', text);
  fixture.componentRef.setInput('streaming', streaming);
  await fixture.whenStable();
  return fixture.nativeElement as HTMLElement;
}

describe('MarkdownView', () => {
  it('renders paragraphs, lists, strong text, inline code and code blocks as elements', async () => {
    const view = await render('Hello **world**.\n\n- use `npm`\n- done\n\n```sh\nnpm start\n```');

    expect(view.querySelectorAll('p')).toHaveLength(3); // one paragraph, one per item
    expect(view.querySelector('strong')?.textContent).toBe('world');
    expect([...view.querySelectorAll('ul > li')].map((li) => li.textContent)).toEqual([
      'use npm',
      'done',
    ]);
    expect(view.querySelector('li code')?.textContent).toBe('npm');
    expect(view.querySelector('pre code')?.textContent).toBe('npm start');
    expect(view.querySelector('.code-language')?.textContent).toBe('sh');
  });

  it('adds no stray spaces around formatted text', async () => {
    const view = await render('a **b** `c`d');

    expect(view.querySelector('p')?.textContent).toBe('a b cd');
  });

  it('shows markup in a reply as text and creates no element from it', async () => {
    const view = await render('<img src=x onerror="alert(1)"><script>alert(2)</script>');

    expect(view.querySelector('img, script')).toBeNull();
    expect(view.textContent).toContain('<img src=x onerror="alert(1)">');
  });

  it('puts the streaming cursor at the end of the last block, inside an unclosed code block', async () => {
    const view = await render('Intro\n\n```js\nconst a', true);

    const cursors = view.querySelectorAll('.cursor');
    expect(cursors).toHaveLength(1);
    expect(cursors[0].parentElement?.matches('pre code')).toBe(true);
  });

  it('puts the cursor in the last item of a list', async () => {
    const view = await render('- a\n- b', true);

    expect(view.querySelector('li:last-child .cursor')).not.toBeNull();
    expect(view.querySelectorAll('.cursor')).toHaveLength(1);
  });

  it('copies a code block to the clipboard and says so', async () => {
    const writeText = jest.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText } });
    try {
      const fixture = TestBed.createComponent(MarkdownView);
      fixture.componentRef.setInput('text', '```sh\nnpm start\n```');
      await fixture.whenStable();
      const copy = (fixture.nativeElement as HTMLElement).querySelector('button.copy');

      (copy as HTMLButtonElement).click();
      await fixture.whenStable();

      expect(writeText).toHaveBeenCalledWith('npm start');
      expect(copy?.textContent?.trim()).toBe('Copied');
    } finally {
      Reflect.deleteProperty(navigator, 'clipboard');
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
