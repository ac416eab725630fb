import { RateLimitHeaders } from '../common/rate-limit-response-headers';
import type { LimitStandings } from '../shared/limit-standing';
import { formatOpenAiDuration } from './openai-duration';

/**
 * OpenAI's `x-ratelimit-*` headers for where a caller's limits stand: the limit, what remains and
 * when it resets, for requests and for tokens; none for a limit that is off.
 */
export function openAiRateLimitHeaders({
  requests,
  tokens,
}: LimitStandings): Record<string, string> {
  const headers: Record<string, string> = {};
  if (requests) {
    headers[RateLimitHeaders.limitRequests] = String(requests.limit);
    headers[RateLimitHeaders.remainingRequests] = String(requests.remaining);
    headers[RateLimitHeaders.resetRequests] = formatOpenAiDuration(requests.resetMs);
  }
  if (tokens) {
    headers[RateLimitHeaders.limitTokens] = String(tokens.limit);
    headers[RateLimitHeaders.remainingTokens] = String(tokens.remaining);
    headers[RateLimitHeaders.resetTokens] = formatOpenAiDuration(tokens.resetMs);
  }
  return headers;
}

/** Sets the `x-ratelimit-*` headers of `standing` on a response whose headers are not yet out. */
export function setOpenAiRateLimitHeaders(
  res: { headersSent: boolean; setHeader(name: string, value: string): unknown },
  standing: LimitStandings,
): void {
  if (res.headersSent) return;
  for (const [name, value] of Object.entries(openAiRateLimitHeaders(standing))) {
    res.setHeader(name, value);
  }
}
