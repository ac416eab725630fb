/** What stands in for a URL's secrets in a log line. */
const REDACTED = '***';

/**
 * `url` fit for a log line: its user, password and fragment gone or masked, and every query value
 * masked (`?api-key=…`, `?sig=…`: which parameters are secret depends on the server, so none is
 * trusted). Parameter names, scheme, host, port and path stay, so the line still says where.
 * Anything without a host is masked whole: `user:secret@host` parses as scheme `user:` and an
 * opaque path, which would show the secret.
 */
export function redactedUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return REDACTED;
  }
  if (!parsed.host) return REDACTED;
  // Nothing to hide: shown as given, not as the URL parser would rewrite it.
  if (!parsed.username && !parsed.password && !parsed.search && !parsed.hash) return url;
  if (parsed.username) parsed.username = REDACTED;
  if (parsed.password) parsed.password = REDACTED;
  for (const name of new Set(parsed.searchParams.keys())) parsed.searchParams.set(name, REDACTED);
  parsed.hash = '';
  return parsed.toString();
}
