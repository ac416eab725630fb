import { openAiRateLimitHeaders, setOpenAiRateLimitHeaders } from './openai-rate-limit-headers';

const requests = { limit: 60, remaining: 59, resetMs: 1_000 };
const tokens = { limit: 150_000, remaining: 149_984, resetMs: 360_000 };

describe('openAiRateLimitHeaders', () => {
  it('writes both trios as OpenAI names and spells them', () => {
    expect(openAiRateLimitHeaders({ requests, tokens })).toEqual({
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '59',
      'x-ratelimit-reset-requests': '1s',
      'x-ratelimit-limit-tokens': '150000',
      'x-ratelimit-remaining-tokens': '149984',
      'x-ratelimit-reset-tokens': '6m0s',
    });
  });

  it('sends no header for a limit that is off', () => {
    expect(Object.keys(openAiRateLimitHeaders({ requests }))).toEqual([
      'x-ratelimit-limit-requests',
      'x-ratelimit-remaining-requests',
      'x-ratelimit-reset-requests',
    ]);
    expect(Object.keys(openAiRateLimitHeaders({ tokens }))).toEqual([
      'x-ratelimit-limit-tokens',
      'x-ratelimit-remaining-tokens',
      'x-ratelimit-reset-tokens',
    ]);
    expect(openAiRateLimitHeaders({})).toEqual({});
  });
});

describe('setOpenAiRateLimitHeaders', () => {
  function response(headersSent: boolean) {
    const headers = new Map<string, string>();
    return {
      headers,
      headersSent,
      setHeader: (name: string, value: string) => headers.set(name, value),
    };
  }

  it('sets the headers on a response not yet started', () => {
    const res = response(false);
    setOpenAiRateLimitHeaders(res, { requests });
    expect(Object.fromEntries(res.headers)).toEqual({
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '59',
      'x-ratelimit-reset-requests': '1s',
    });
  });

  it('leaves a response whose headers are out alone', () => {
    const res = response(true);
    setOpenAiRateLimitHeaders(res, { requests, tokens });
    expect(res.headers.size).toBe(0);
  });
});
