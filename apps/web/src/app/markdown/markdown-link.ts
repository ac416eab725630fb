/** The schemes a link in a reply may have; anything else is shown as text. */
const LINK_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:', 'mailto:']);

/**
 * The href a reply's link may get: an absolute `http:`, `https:` or `mailto:` URL, as the browser
 * itself would read it, or `undefined` when the link must stay text.
 *
 * The check runs on the parsed URL, not on the string: the URL parser drops the tabs, newlines and
 * leading control characters that hide a scheme (`java\tscript:`, `\x01javascript:`) and folds
 * its case, so what is checked is what a click would open. Relative URLs are refused too: a reply
 * is not a page of this site, and resolving them against it would point somewhere unintended.
 */
export function safeLinkHref(href: string): string | undefined {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return undefined; // Relative or malformed.
  }
  return LINK_PROTOCOLS.has(url.protocol) ? url.href : undefined;
}
