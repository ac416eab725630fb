import type { HeadersObject } from '@nestjs/swagger';

/** OpenAI's rate-limit headers, by what each says: the names its SDKs and clients read. */
export const RateLimitHeaders = {
  limitRequests: 'x-ratelimit-limit-requests',
  remainingRequests: 'x-ratelimit-remaining-requests',
  resetRequests: 'x-ratelimit-reset-requests',
  limitTokens: 'x-ratelimit-limit-tokens',
  remainingTokens: 'x-ratelimit-remaining-tokens',
  resetTokens: 'x-ratelimit-reset-tokens',
} as const;

/** A duration as the `x-ratelimit-reset-*` headers write it, for the document. */
const duration = { type: 'string', pattern: '^(\\d+h)?(\\d+m)?\\d+(ms|s)$', example: '6m0s' };

/**
 * The rate-limit headers of the OpenAI-compatible routes that admit a request, as the OpenAPI
 * document describes them: each trio only while its limit is on.
 */
export const RATE_LIMIT_RESPONSE_HEADERS = {
  [RateLimitHeaders.limitRequests]: {
    description:
      'The requests the caller may start in a rolling minute (`LIMIT_REQUESTS_PER_MINUTE` or its ' +
      "key's `limits.requestsPerMinute`). Absent, as the other `-requests` headers, when that " +
      'limit is off.',
    schema: { type: 'integer' },
  },
  [RateLimitHeaders.remainingRequests]: {
    description:
      'The requests left in the rolling minute, this one counted (a refused one is not).',
    schema: { type: 'integer', minimum: 0 },
  },
  [RateLimitHeaders.resetRequests]: {
    description:
      "When the rolling minute frees a place (its oldest request leaves it), in OpenAI's form: " +
      '`20ms` under a second, else whole seconds rounded up (`1s`, `59s`, `1m0s`).',
    schema: duration,
  },
  [RateLimitHeaders.limitTokens]: {
    description:
      "The tokens the caller may use in a UTC day (`LIMIT_TOKENS_PER_DAY` or its key's " +
      '`limits.tokensPerDay`). Absent, as the other `-tokens` headers, when that limit is off.',
    schema: { type: 'integer' },
  },
  [RateLimitHeaders.remainingTokens]: {
    description:
      "The tokens left of the day's, as counted when the request was admitted (its own tokens " +
      'are counted when it ends); never below 0.',
    schema: { type: 'integer', minimum: 0 },
  },
  [RateLimitHeaders.resetTokens]: {
    description:
      "The time until the next midnight UTC, when the day's tokens start again: `6h12m3s`.",
    schema: duration,
  },
} satisfies HeadersObject;
