import { MAX_DERIVED_TITLE_CHARS, titleFrom } from './conversation-title';

describe('titleFrom', () => {
  it('is the first line of the first message', () => {
    expect(titleFrom('  How do   streams resume?\nI mean after a cut.')).toBe(
      'How do streams resume?',
    );
  });

  it('cuts a long line at a word, with an ellipsis', () => {
    const title = titleFrom(
      'Explain in detail how server-sent events resume after a dropped connection behind nginx',
    );
    expect(title.length).toBeLessThanOrEqual(MAX_DERIVED_TITLE_CHARS + 1);
    expect(title).toBe('Explain in detail how server-sent events resume after a…');
  });

  it('cuts a line without spaces where it must', () => {
    expect(titleFrom('x'.repeat(100))).toBe(`${'x'.repeat(MAX_DERIVED_TITLE_CHARS)}…`);
  });

  it('names an empty message plainly', () => {
    expect(titleFrom(' \n ')).toBe('New chat');
  });
});
