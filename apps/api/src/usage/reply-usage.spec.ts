import { replyCost } from './reply-usage';

const price = { inputPerMillion: 2.5, outputPerMillion: 10 };

describe('replyCost', () => {
  it("prices the upstream's own count of a finished reply", () => {
    expect(
      replyCost(
        {
          usage: { promptTokens: 1_000, completionTokens: 500 },
          promptChars: 1,
          completionChars: 1,
        },
        price,
      ),
    ).toEqual({
      promptTokens: 1_000,
      completionTokens: 500,
      estimated: false,
      costUsd: 0.0075,
      priced: true,
    });
  });

  it('estimates a reply without usage (stopped, cut, failed) from its characters, and says so', () => {
    expect(replyCost({ usage: null, promptChars: 40, completionChars: 9 }, price)).toEqual({
      promptTokens: 10,
      completionTokens: 3,
      estimated: true,
      costUsd: (10 * 2.5 + 3 * 10) / 1e6,
      priced: true,
    });
  });

  it('costs nothing for a model without a price, and says it was not priced', () => {
    expect(
      replyCost(
        { usage: { promptTokens: 9, completionTokens: 9 }, promptChars: 0, completionChars: 0 },
        undefined,
      ),
    ).toMatchObject({ costUsd: 0, priced: false });
  });
});
