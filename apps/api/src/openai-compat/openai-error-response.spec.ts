import { toApiErrorResponse } from '../common/api-error-response';
import { limitExceeded } from '../limits/limit-exceeded';
import { toOpenAiErrorResponse } from './openai-error-response';

const standing = {
  requests: { limit: 3, remaining: 0, resetMs: 34_500 },
  tokens: { limit: 1_000, remaining: 250, resetMs: 3_600_000 },
};

describe('toOpenAiErrorResponse of a limit reached', () => {
  it("answers 429 rate_limit_exceeded with Retry-After and where the caller's limits stand", () => {
    const refusal = limitExceeded('requestsPerMinute', 3, 34_500, { standing });
    const { status, body, headers } = toOpenAiErrorResponse(refusal);
    expect(status).toBe(429);
    expect(body.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
    expect(headers).toEqual({
      'Retry-After': '35',
      'x-ratelimit-limit-requests': '3',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '35s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '250',
      'x-ratelimit-reset-tokens': '1h0m0s',
    });
  });

  it('answers Retry-After alone when the refusal did not read the caller’s limits', () => {
    const byModel = limitExceeded('requestsPerMinute', 1, 5_000, { model: 'big' });
    expect(toOpenAiErrorResponse(byModel).headers).toEqual({ 'Retry-After': '5' });
    const byReaders = limitExceeded('readersPerCaller', 10, 5_000);
    expect(toOpenAiErrorResponse(byReaders).headers).toEqual({ 'Retry-After': '5' });
  });

  it('leaves the native routes’ 429 as it was: Retry-After alone', () => {
    const refusal = limitExceeded('requestsPerMinute', 3, 34_500, { standing });
    expect(toApiErrorResponse(refusal).headers).toEqual({ 'Retry-After': '35' });
  });
});
