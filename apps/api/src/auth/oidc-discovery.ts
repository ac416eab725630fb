import { AuthFailure } from './auth-failure';
import { issuerUnreachable } from './oidc-issuer-unreachable';
import { oidcUrlProblem } from './oidc-url-problem';

/** Where an issuer publishes its OpenID Provider metadata, under the issuer (OIDC Discovery §4). */
export const OIDC_DISCOVERY_PATH = '/.well-known/openid-configuration';

/** The discovery document's URL: OIDC Discovery §4.1 drops the issuer's trailing `/` first. */
export function oidcDiscoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}${OIDC_DISCOVERY_PATH}`;
}

/** How to reach the issuer. */
export interface OidcDiscoveryOptions {
  fetch: typeof fetch;
  /** Bounds the whole exchange, body included, so a stalled issuer cannot hold requests. */
  timeoutMs: number;
}

/**
 * Fetches the issuer's discovery document and returns its `jwks_uri`, or throws the `AuthFailure`
 * that says what went wrong.
 */
export async function discoverJwksUrl(issuer: string, options: OidcDiscoveryOptions): Promise<URL> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let document: unknown;
  try {
    const response = await options.fetch(oidcDiscoveryUrl(issuer), {
      signal,
      headers: { accept: 'application/json' },
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw issuerUnreachable('discovery', `HTTP ${response.status}`);
    }
    document = await response.json();
  } catch (error) {
    if (error instanceof AuthFailure) throw error;
    // A body that is not JSON arrived; anything else (refused, DNS, TLS, timeout) did not. By name:
    // the SyntaxError is made in fetch's realm, which is not always the caller's.
    if ((error as Partial<Error> | null)?.name === 'SyntaxError') throw invalid('not JSON');
    throw issuerUnreachable('discovery', error);
  }
  if (typeof document !== 'object' || document === null) throw invalid('not a JSON object');
  const { issuer: published, jwks_uri: jwksUri } = document as Record<string, unknown>;
  // OIDC Discovery §4.3: the issuer published MUST be identical to the one used to fetch the
  // document, or an issuer could vouch for keys that sign tokens in another issuer's name.
  if (published !== issuer) {
    throw new AuthFailure(
      `discovery issuer mismatch: expected ${JSON.stringify(issuer)}, got ${JSON.stringify(published)}`,
    );
  }
  if (typeof jwksUri !== 'string' || jwksUri === '') throw invalid('no jwks_uri');
  const problem = oidcUrlProblem(jwksUri);
  if (problem) throw invalid(`jwks_uri ${problem}`);
  return new URL(jwksUri);
}

function invalid(what: string): AuthFailure {
  return new AuthFailure(`invalid discovery document: ${what}`);
}
