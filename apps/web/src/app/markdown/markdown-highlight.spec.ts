import { highlightCode, highlightCodeLines } from './markdown-highlight';

/** The text of highlight.js's HTML, as the browser would show it. */
function textOf(html: string): string {
  const element = document.createElement('code');
  element.innerHTML = html;
  return element.textContent ?? '';
}

describe('highlightCode', () => {
  it.each([
    ['typescript', 'const a: number = 1;'],
    ['ts', 'interface A {}'],
    ['javascript', 'let a = 1;'],
    ['js', 'function f() {}'],
    ['json', '{ "a": true }'],
    ['bash', 'if [ -f x ]; then echo y; fi'],
    ['sh', 'export A=1'],
    ['shell', 'for f in *; do echo "$f"; done'],
    ['console', '$ npm start'],
    ['python', 'def f(): return None'],
    ['py', 'import os'],
    ['java', 'public class A {}'],
    ['go', 'func main() {}'],
    ['rust', 'fn main() {}'],
    ['rs', 'let mut a = 1;'],
    ['sql', 'SELECT * FROM t WHERE id = 1'],
    ['yaml', 'a: true'],
    ['yml', 'b: 1'],
    ['xml', '<a href="x">y</a>'],
    ['html', '<div class="x"></div>'],
    ['css', '.a { color: red; }'],
    ['diff', '+added\n-removed'],
    ['csharp', 'public class A {}'],
    ['cs', 'var a = 1;'],
    ['cpp', 'int main() { return 0; }'],
    ['c', '#include <stdio.h>'],
    ['C++', 'unsigned int x = 0;'],
  ])('highlights %s, keeping the code as text', (language, code) => {
    const html = highlightCode(code, language);

    expect(html).toContain('<span class="hljs-');
    expect(textOf(html ?? '')).toBe(code);
  });

  it('escapes the code: markup in it stays text', () => {
    const html = highlightCode('<script>alert(1)</script>', 'html') ?? '';

    const element = document.createElement('code');
    element.innerHTML = html;
    expect(element.querySelector('script')).toBeNull();
    expect(element.textContent).toBe('<script>alert(1)</script>');
  });

  it('does not highlight an absent or unknown language (and never guesses one)', () => {
    expect(highlightCode('const a = 1;', '')).toBeUndefined();
    expect(highlightCode('const a = 1;', 'brainfuck')).toBeUndefined();
  });

  it('cuts the HTML into lines that each stand alone, a comment over several lines included', () => {
    const code = 'const a = 1; /* one\ntwo\nthree */ const b = `x\ny`;\n\nlet c;';
    const lines = highlightCodeLines(code, 'ts') ?? [];

    expect(lines.map(textOf)).toEqual(code.split('\n'));
    for (const line of lines) {
      const element = document.createElement('code');
      element.innerHTML = line;
      expect(element.innerHTML).toBe(line); // balanced: nothing left open or closed twice
    }
    const middle = document.createElement('code');
    middle.innerHTML = lines[1];
    expect(middle.querySelector('.hljs-comment')?.textContent).toBe('two');
    expect(highlightCodeLines('x', 'brainfuck')).toBeUndefined();
  });
});
