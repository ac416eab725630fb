import { z } from 'zod';

/** A whole number in `[min, max]`, read from an environment variable's text. */
export function wholeNumber(min: number, max: number) {
  return z
    .string()
    .regex(/^\d+$/, { error: `expected a whole number from ${min} to ${max}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `expected at least ${min}` })
        .max(max, { error: `expected at most ${max}` }),
    );
}

/** An HTTP header name (RFC 9110 `token`): one name, so a comma-separated list is refused. */
export const headerName = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { error: 'expected one header name' })
  .transform((name) => name.toLowerCase());

/**
 * An upstream's http(s) URL, without user, password or query. Neither can work: fetch refuses URLs
 * with credentials, and the SDK appends its paths after the query (`/v1?key=…/chat/completions`).
 * Refused, they cannot end up in an error or a log. `keyBelongsIn` tells where the key goes instead.
 */
export function upstreamUrl(keyBelongsIn: string) {
  return z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL', abort: true })
    .refine((url) => !new URL(url).username && !new URL(url).password && !url.includes('?'), {
      error: `expected no user, password or query in the URL; ${keyBelongsIn}`,
    });
}

/** Splits a comma-separated setting into its trimmed, non-empty, distinct items. */
export function list(value: string | undefined): string[] {
  return [
    ...new Set(
      (value ?? '')
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    ),
  ];
}
