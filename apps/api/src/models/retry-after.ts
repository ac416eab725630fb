/** Read access to response headers, as the Fetch `Headers` (and so openai's `APIError.headers`) gives. */
export interface HeaderLookup {
  get(name: string): string | null;
}

const DELAY_SECONDS = /^\d+(\.\d+)?$/;

/**
 * How long an upstream asked to be left alone, in ms, or undefined when it did not say (or said
 * something unreadable). Reads OpenAI's `retry-after-ms`, then `Retry-After` as delay-seconds or an
 * HTTP date (RFC 9110 §10.2.3); a date already past means "now".
 */
export function retryAfterMs(headers: HeaderLookup | undefined, nowMs: number): number | undefined {
  const millis = headers?.get('retry-after-ms')?.trim();
  if (millis && DELAY_SECONDS.test(millis)) return Number(millis);
  const value = headers?.get('retry-after')?.trim();
  if (!value) return undefined;
  // The RFC allows whole seconds only; fractions are read too, as the openai SDK itself does.
  if (DELAY_SECONDS.test(value)) return Number(value) * 1000;
  // An HTTP date always names a day or month; without letters, Date.parse would accept "1-2" and such.
  if (!/[a-z]/i.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
