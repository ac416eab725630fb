import { modelHistory } from './model-history';

describe('modelHistory', () => {
  it('keeps the exchanges whose reply completed, and the question being answered', () => {
    expect(
      modelHistory([
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'A', complete: true },
        { role: 'user', content: 'b' },
        { role: 'assistant', content: 'half of B', complete: false },
        { role: 'user', content: 'c' },
      ]),
    ).toEqual([
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'A' },
      { role: 'user', content: 'c' },
    ]);
  });

  it('leaves out a question whose reply failed when more follows', () => {
    expect(
      modelHistory([
        { role: 'user', content: 'a' },
        { role: 'assistant', content: '', complete: false },
        { role: 'user', content: 'b' },
        { role: 'assistant', content: 'B', complete: true },
      ]),
    ).toEqual([
      { role: 'user', content: 'b' },
      { role: 'assistant', content: 'B' },
    ]);
  });

  it('keeps system messages where they are', () => {
    expect(
      modelHistory([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'a' },
      ]),
    ).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'a' },
    ]);
  });
});
