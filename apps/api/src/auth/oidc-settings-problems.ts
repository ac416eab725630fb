import { DEFAULT_OIDC_ALGORITHMS, type OidcSettings } from './oidc-settings';
import { oidcUrlProblem } from './oidc-url-problem';

/** The most clock leeway accepted: more would quietly stretch every token's lifetime. */
export const MAX_OIDC_CLOCK_TOLERANCE_SECONDS = 300;

/** The least JWKS cooldown accepted, so the guard against key-fetch floods cannot be switched off. */
export const MIN_OIDC_JWKS_COOLDOWN_MS = 1_000;

// `none` needs no key at all, and an HMAC "key" for a public-key issuer is whatever the verifier
// holds, i.e. the public key, which anyone can sign with (the classic RS256/HS256 key confusion).
const KEYLESS_OR_SYMMETRIC = /^(none|HS\d+)$/i;

/**
 * What is wrong with `settings`, one line per problem (empty when nothing is), so that the config
 * layer can report them with the rest at boot.
 */
export function oidcSettingsProblems(settings: OidcSettings): string[] {
  const problems: string[] = [];
  const { issuer, jwksUrl, audience, algorithms, claims } = settings;

  const issuerProblem = oidcUrlProblem(issuer);
  if (issuerProblem) problems.push(`issuer: ${issuerProblem}`);
  // OIDC Discovery §2: an issuer has no query or fragment.
  else if (/[?#]/.test(issuer)) problems.push('issuer: must have no query or fragment');
  // The principal id is `oidc:<issuer>|<subject>`; a `|` in the issuer would make it ambiguous.
  if (issuer.includes('|')) problems.push('issuer: must not contain "|"');

  if (jwksUrl !== undefined) {
    const jwksProblem = oidcUrlProblem(jwksUrl);
    if (jwksProblem) problems.push(`jwksUrl: ${jwksProblem}`);
  }

  // An empty list would refuse every token, which is a misconfiguration, not a policy.
  if (audience.length === 0) problems.push('audience: name at least one accepted audience');
  if (audience.some((value) => value === '')) problems.push('audience: empty value');

  if (algorithms.length === 0) problems.push('algorithms: name at least one algorithm');
  for (const algorithm of algorithms) {
    if (KEYLESS_OR_SYMMETRIC.test(algorithm)) {
      problems.push(
        `algorithms: ${algorithm} is refused (an OIDC issuer signs with a private key)`,
      );
    } else if (!DEFAULT_OIDC_ALGORITHMS.includes(algorithm)) {
      problems.push(`algorithms: ${algorithm} is not one of ${DEFAULT_OIDC_ALGORITHMS.join(', ')}`);
    }
  }

  const tolerance = settings.clockToleranceSeconds;
  if (
    !Number.isFinite(tolerance) ||
    tolerance < 0 ||
    tolerance > MAX_OIDC_CLOCK_TOLERANCE_SECONDS
  ) {
    problems.push(`clockToleranceSeconds: expected 0 to ${MAX_OIDC_CLOCK_TOLERANCE_SECONDS}`);
  }

  for (const [field, name] of Object.entries(claims)) {
    if (name === '') problems.push(`claims.${field}: empty claim name`);
  }

  if (
    !Number.isFinite(settings.jwksCooldownMs) ||
    settings.jwksCooldownMs < MIN_OIDC_JWKS_COOLDOWN_MS
  ) {
    problems.push(`jwksCooldownMs: expected at least ${MIN_OIDC_JWKS_COOLDOWN_MS}`);
  }
  if (!Number.isFinite(settings.discoveryTimeoutMs) || settings.discoveryTimeoutMs <= 0) {
    problems.push('discoveryTimeoutMs: expected a positive number of milliseconds');
  }
  return problems;
}
