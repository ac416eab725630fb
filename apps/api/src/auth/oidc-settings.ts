/** How the api checks OIDC bearer tokens: whom it trusts, for what, and how it reaches the issuer. */
export interface OidcSettings {
  /**
   * The issuer identifier, exactly as tokens carry it in `iss` (OIDC Core §2); also the base of the
   * discovery URL. https, or http on a loopback host (development and tests).
   */
  issuer: string;
  /** Where the issuer publishes its signing keys; when absent, its discovery document says. */
  jwksUrl?: string;
  /** Accepted `aud` values: a token must name at least one (RFC 7519 §4.1.3). */
  audience: readonly string[];
  /** Accepted signature algorithms; asymmetric only (`none` and `HS*` are refused at construction). */
  algorithms: readonly string[];
  /** Leeway for `exp` and `nbf`, for clocks that disagree a little with the issuer's. */
  clockToleranceSeconds: number;
  /** Names of the claims the principal is read from (flat keys: `https://x.example/groups` is one). */
  claims: {
    /** The subject: with the issuer, the only stable identifier of a user (OIDC Core §5.7). */
    subject: string;
    /** The email address; dropped when the issuer marks it unverified (`email_verified: false`). */
    email: string;
    /** The display name. */
    name: string;
    /** The groups: an array of strings, or one space-separated string. */
    groups: string;
  };
  /**
   * Least time between two fetches of the signing keys, so tokens naming unknown keys cannot make
   * the api hammer the issuer; also how long a failed fetch is not retried.
   */
  jwksCooldownMs: number;
  /** Timeout of each request to the issuer: the discovery document and the signing keys. */
  discoveryTimeoutMs: number;
}

/** The signature algorithms an OIDC issuer may use: asymmetric only, so no key-confusion trick. */
export const DEFAULT_OIDC_ALGORITHMS: readonly string[] = Object.freeze([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
]);

/** Default leeway for `exp` and `nbf`. */
export const DEFAULT_OIDC_CLOCK_TOLERANCE_SECONDS = 30;

/** The standard OIDC claim names (OIDC Core §5.1), and the de facto `groups`. */
export const DEFAULT_OIDC_CLAIMS: Readonly<OidcSettings['claims']> = Object.freeze({
  subject: 'sub',
  email: 'email',
  name: 'name',
  groups: 'groups',
});

/** Default least time between two fetches of the signing keys (jose's own default too). */
export const DEFAULT_OIDC_JWKS_COOLDOWN_MS = 30_000;

/** Default timeout of each request to the issuer. */
export const DEFAULT_OIDC_DISCOVERY_TIMEOUT_MS = 5_000;

/** Every setting that has a default, ready to spread under the deployment's issuer and audience. */
export const DEFAULT_OIDC_SETTINGS: Readonly<
  Omit<OidcSettings, 'issuer' | 'jwksUrl' | 'audience'>
> = Object.freeze({
  algorithms: DEFAULT_OIDC_ALGORITHMS,
  clockToleranceSeconds: DEFAULT_OIDC_CLOCK_TOLERANCE_SECONDS,
  claims: DEFAULT_OIDC_CLAIMS,
  jwksCooldownMs: DEFAULT_OIDC_JWKS_COOLDOWN_MS,
  discoveryTimeoutMs: DEFAULT_OIDC_DISCOVERY_TIMEOUT_MS,
});
