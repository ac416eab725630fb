import { decodeEntities } from './markdown-entities';

describe('decodeEntities', () => {
  it('decodes named, decimal and hexadecimal character references', () => {
    expect(decodeEntities('&lt;a&gt; &amp; &quot;x&quot; &copy; &#169; &#xA9; &#Xa9; &nbsp;')).toBe(
      '<a> & "x" © © © © \u00a0',
    );
  });

  it('decodes in one pass, so an escaped reference stays a reference', () => {
    expect(decodeEntities('&amp;lt; &amp;#60;')).toBe('&lt; &#60;');
  });

  it('leaves unknown names, unterminated references and bare ampersands as written', () => {
    expect(decodeEntities('&bogus; &copy &amp Fish & Chips &;')).toBe(
      '&bogus; &copy &amp Fish & Chips &;',
    );
  });

  it('turns code point 0, surrogates and values past Unicode into U+FFFD', () => {
    expect(decodeEntities('&#0; &#xD800; &#1114112;')).toBe('\ufffd \ufffd \ufffd');
  });
});
