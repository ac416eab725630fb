import { DEFAULT_REPLY } from './mock-options';
import { splitIntoChunks } from './split-into-chunks';

// Every high surrogate followed by a low one, and no surrogate on its own.
const WELL_FORMED = /^(?:[\uD800-\uDBFF][\uDC00-\uDFFF]|[^\uD800-\uDFFF])*$/;

describe('splitIntoChunks', () => {
  it('splits into exactly `count` pieces that join back to the text', () => {
    const chunks = splitIntoChunks(DEFAULT_REPLY, 20);
    expect(chunks).toHaveLength(20);
    expect(chunks.join('')).toBe(DEFAULT_REPLY);
  });

  it('keeps piece sizes within one code point of each other', () => {
    const sizes = splitIntoChunks('abcdefghij', 3).map((chunk) => Array.from(chunk).length);
    expect(sizes).toEqual([4, 3, 3]);
  });

  it('never splits a surrogate pair, whatever the count', () => {
    const text = `a🙂b${'🙂'.repeat(6)}日本語é`;
    for (let count = 1; count <= 14; count++) {
      const chunks = splitIntoChunks(text, count);
      expect(chunks.join('')).toBe(text);
      for (const chunk of chunks) expect(chunk).toMatch(WELL_FORMED);
    }
  });

  it('never splits a surrogate pair of the default reply for any count', () => {
    for (let count = 1; count <= 80; count++) {
      for (const chunk of splitIntoChunks(DEFAULT_REPLY, count)) expect(chunk).toMatch(WELL_FORMED);
    }
  });

  it('gives one piece per code point when the text is shorter than `count`', () => {
    expect(splitIntoChunks('é🙂', 10)).toEqual(['é', '🙂']);
  });

  it('gives no pieces for an empty text', () => {
    expect(splitIntoChunks('', 5)).toEqual([]);
  });

  it.each([0, -1, 1.5, NaN])('rejects count %p', (count) => {
    expect(() => splitIntoChunks('abc', count)).toThrow(RangeError);
  });
});

describe('DEFAULT_REPLY', () => {
  it('has about 40 words with 2-, 3- and 4-byte UTF-8 characters', () => {
    expect(DEFAULT_REPLY.split(/\s+/)).toHaveLength(40);
    expect(DEFAULT_REPLY).toContain('é');
    expect(DEFAULT_REPLY).toContain('日本語');
    expect(DEFAULT_REPLY).toContain('🙂');
    // Precomposed é (one code point), so no test has to think about combining marks.
    expect(DEFAULT_REPLY.normalize('NFC')).toBe(DEFAULT_REPLY);
  });
});
