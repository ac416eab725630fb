import { safeLinkHref } from './markdown-link';

describe('safeLinkHref', () => {
  it.each([
    ['https://example.com/a?b=c#d', 'https://example.com/a?b=c#d'],
    ['http://example.com', 'http://example.com/'],
    ['HTTPS://Example.COM/Path', 'https://example.com/Path'],
    ['mailto:someone@example.com', 'mailto:someone@example.com'],
    ['https://example.com/a b', 'https://example.com/a%20b'],
  ])('lets %j be a link, as the browser reads it', (href, expected) => {
    expect(safeLinkHref(href)).toBe(expected);
  });

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    '\u0001javascript:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    'ftp://example.com/',
    'blob:https://example.com/1',
  ])('refuses the scheme of %j', (href) => {
    expect(safeLinkHref(href)).toBeUndefined();
  });

  it.each(['/settings', 'page.html', '../up', '//example.com/x', '#top', '?q=1', '', 'https://'])(
    'refuses the relative or malformed URL %j',
    (href) => {
      expect(safeLinkHref(href)).toBeUndefined();
    },
  );
});
