/**
 * Why `value` is no URL the api may fetch an issuer's metadata or keys from, or `undefined` if it is.
 *
 * Keys fetched over plain http can be swapped by anyone on the network path, and whoever supplies
 * the keys can forge every token; so https is required, with http allowed on a loopback host only
 * (a local identity provider in development and tests never crosses a network).
 */
export function oidcUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not an absolute URL`;
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return undefined;
  return `"${value}" must be https (http is allowed on a loopback host only)`;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}
