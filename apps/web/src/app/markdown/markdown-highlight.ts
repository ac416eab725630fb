import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import shellSession from 'highlight.js/lib/languages/shell';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';

// The core holds no language: only these are bundled. Each grammar brings its own aliases
// (`ts`, `js`, `sh`, `py`, `rs`, `yml`, `html`, `cs`, `c++`, `patch`, …).
hljs.registerLanguage('bash', bash);
hljs.registerLanguage('cpp', cpp);
hljs.registerLanguage('csharp', csharp);
hljs.registerLanguage('css', css);
hljs.registerLanguage('diff', diff);
hljs.registerLanguage('go', go);
hljs.registerLanguage('java', java);
hljs.registerLanguage('javascript', javascript);
hljs.registerLanguage('json', json);
hljs.registerLanguage('python', python);
hljs.registerLanguage('rust', rust);
// The prompt-and-output grammar answers to `console`; a fence marked `shell` is usually a script.
hljs.registerLanguage('console', shellSession);
hljs.registerLanguage('sql', sql);
hljs.registerLanguage('typescript', typescript);
hljs.registerLanguage('xml', xml);
hljs.registerLanguage('yaml', yaml);
hljs.registerAliases(['shell'], { languageName: 'bash' });
hljs.registerAliases(['c', 'h'], { languageName: 'cpp' });

/**
 * `code` highlighted as `language` (a fence's info word, any case, or an alias): HTML in which
 * highlight.js has escaped every character of the code and added only `<span class="hljs-…">`.
 * `undefined` when the language is absent or not bundled: the code is then shown as plain text.
 * There is no guessing of the language, which would run every grammar on every delta of a reply.
 */
export function highlightCode(code: string, language: string): string | undefined {
  if (language === '' || hljs.getLanguage(language) === undefined) return undefined;
  return hljs.highlight(code, { language, ignoreIllegals: true }).value;
}

const SPAN_OR_NEWLINE = /<span[^>]*>|<\/span>|\n/g;

/**
 * highlight.js's HTML cut into one piece per line of the code, each piece standing alone: the
 * spans open at the end of a line (a comment or string over several lines) are closed there and
 * opened again at the start of the next. A long block can then be shown in parts, and a part whose
 * lines did not change is left as it is.
 */
export function highlightedLines(html: string): string[] {
  const lines: string[] = [];
  const open: string[] = [];
  let line = '';
  let from = 0;
  for (const match of html.matchAll(SPAN_OR_NEWLINE)) {
    line += html.slice(from, match.index);
    from = match.index + match[0].length;
    if (match[0] === '\n') {
      lines.push(line + '</span>'.repeat(open.length));
      line = open.join('');
    } else {
      if (match[0] === '</span>') open.pop();
      else open.push(match[0]);
      line += match[0];
    }
  }
  lines.push(line + html.slice(from));
  return lines;
}

/** `highlightCode`'s HTML as `highlightedLines`, or `undefined` for code shown as plain text. */
export function highlightCodeLines(code: string, language: string): string[] | undefined {
  const html = highlightCode(code, language);
  return html === undefined ? undefined : highlightedLines(html);
}
