import { TestBed } from '@angular/core/testing';
import { HIGHLIGHT_WORKER, MarkdownHighlighter } from './markdown-highlighter';

const HIGHLIGHTED = [
  '<span class="hljs-keyword">const</span> a = <span class="hljs-number">1</span>;',
];

/** A worker whose script never loads, as after a deploy removed it: it only ever fails. */
class UnloadableWorker extends EventTarget {
  terminated = false;
  postMessage(): void {
    queueMicrotask(() => this.dispatchEvent(new Event('error')));
  }
  terminate(): void {
    this.terminated = true;
  }
}

describe('MarkdownHighlighter', () => {
  it('answers highlighted HTML line by line, and nothing for a language it does not have', async () => {
    const highlighter = TestBed.inject(MarkdownHighlighter);

    await expect(highlighter.highlight('const a = 1;', 'ts')).resolves.toEqual(HIGHLIGHTED);
    await expect(highlighter.highlight('const a = 1;', 'brainfuck')).resolves.toBeUndefined();
  });

  it('gives a block made anew the newest answer for the start of its code', async () => {
    const highlighter = TestBed.inject(MarkdownHighlighter);
    await highlighter.highlight('const a = 1;', 'ts');

    expect(highlighter.recentFor('const a = 1;\nconst b', 'ts')).toEqual({
      code: 'const a = 1;',
      language: 'ts',
      lines: HIGHLIGHTED,
    });
    expect(highlighter.recentFor('const a = 1;', 'python')).toBeUndefined();
    expect(highlighter.recentFor('let a = 1;', 'ts')).toBeUndefined();
  });

  it('highlights in the page when its worker cannot start, the questions already asked included', async () => {
    const worker = new UnloadableWorker();
    TestBed.configureTestingModule({
      providers: [{ provide: HIGHLIGHT_WORKER, useValue: () => worker as unknown as Worker }],
    });
    const highlighter = TestBed.inject(MarkdownHighlighter);

    const answers = Promise.all([
      highlighter.highlight('const a = 1;', 'ts'),
      highlighter.highlight('x = 1', 'python'),
    ]);

    await expect(answers).resolves.toEqual([
      HIGHLIGHTED,
      ['x = <span class="hljs-number">1</span>'],
    ]);
    expect(worker.terminated).toBe(true);
    await expect(highlighter.highlight('const a = 1;', 'ts')).resolves.toEqual(HIGHLIGHTED);
  });
});
