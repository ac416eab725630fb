import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type FlattenedJWSInput,
  type JWSHeaderParameters,
  type JWTPayload,
  type KeyLike,
} from 'jose';
import { AuthFailure } from './auth-failure';
import { discoverJwksUrl } from './oidc-discovery';
import { issuerUnreachable } from './oidc-issuer-unreachable';
import { oidcPrincipalId } from './oidc-principal-id';
import type { OidcSettings } from './oidc-settings';
import { oidcSettingsProblems } from './oidc-settings-problems';
import type { Principal } from '../shared/principal';

/** What tests and unusual deployments may swap in. */
export interface OidcTokenVerifierOptions {
  /** Fetches the discovery document (jose fetches the key set itself, over `node:http`). */
  fetch?: typeof fetch;
  /** The clock, in ms since the epoch, for `exp`/`nbf` and for backing off a failing issuer. */
  now?: () => number;
}

/**
 * Longest the keys are trusted without asking the issuer again, so a key it withdrew stops working
 * within this time even if no token ever names a new key. A refetch that fails keeps the last keys
 * (see `lastKnownKey`).
 */
export const OIDC_JWKS_MAX_AGE_MS = 10 * 60_000;

/** Longest token accepted; more than Node's whole default header limit (16 KiB) is never a token. */
export const OIDC_MAX_TOKEN_LENGTH = 16_384;

// A JWS in compact serialization (RFC 7515 §7.1): three base64url parts. The signature may be empty
// here so that an `alg: none` token is refused by name rather than as malformed.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

type RemoteKeySet = ReturnType<typeof createRemoteJWKSet>;

/** A failure worth remembering: the issuer is not asked again until the cooldown has passed. */
interface RecentFailure {
  at: number;
  failure: AuthFailure;
}

/**
 * Verifies OIDC bearer tokens (signed JWTs) against one issuer's published keys and turns them into
 * a `Principal`; every refusal is an `AuthFailure` whose reason says why, for the log.
 */
export class OidcTokenVerifier {
  private readonly settings: OidcSettings;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private keySet?: RemoteKeySet;
  private pendingDiscovery?: Promise<RemoteKeySet>;
  private discoveryFailure?: RecentFailure;
  private keySetFailure?: RecentFailure;

  /** Throws, listing every problem, when the settings could let a forged token through. */
  constructor(settings: OidcSettings, options: OidcTokenVerifierOptions = {}) {
    const problems = oidcSettingsProblems(settings);
    if (problems.length > 0) throw new Error(`Invalid OIDC settings:\n${problems.join('\n')}`);
    // A private copy: the caller mutating its object later cannot widen what is accepted.
    this.settings = {
      ...settings,
      audience: [...settings.audience],
      algorithms: [...settings.algorithms],
      claims: { ...settings.claims },
    };
    // Looked up per call, not bound once, so a fetch or clock installed later is honoured.
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.now = options.now ?? (() => Date.now());
    if (settings.jwksUrl !== undefined) this.keySet = this.remoteKeySet(new URL(settings.jwksUrl));
  }

  /** The caller `token` proves to be, or an `AuthFailure` saying why it proves nothing. */
  async verify(token: string): Promise<Principal> {
    if (typeof token !== 'string' || token === '') throw new AuthFailure('missing token');
    // Checked before jose so that junk never costs a key lookup (or a fetch) and JWE is refused.
    if (token.length > OIDC_MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) {
      throw new AuthFailure('malformed token');
    }
    const { settings } = this;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, (header, jws) => this.resolveKey(header, jws), {
        algorithms: [...settings.algorithms],
        issuer: settings.issuer,
        audience: [...settings.audience],
        // A token that never expires would stay valid forever once leaked.
        requiredClaims: ['exp'],
        clockTolerance: settings.clockToleranceSeconds,
        currentDate: new Date(this.now()),
      }));
    } catch (error) {
      throw refusalFor(error);
    }
    return this.principalFrom(payload);
  }

  private principalFrom(payload: JWTPayload): Principal {
    const { issuer, claims } = this.settings;
    const subject = payload[claims.subject];
    if (typeof subject !== 'string' || subject.trim() === '') {
      throw new AuthFailure('missing subject');
    }
    const email = stringClaim(payload[claims.email]);
    // Some issuers (Cognito, for one) send the flag as a string.
    const unverified = [false, 'false'].includes(payload['email_verified'] as boolean | string);
    return {
      id: oidcPrincipalId(issuer, subject),
      kind: 'user',
      via: 'oidc',
      name: stringClaim(payload[claims.name]),
      // An address the issuer has not verified may be anyone's: keep it out of the principal so
      // nothing downstream can trust it (the "nOAuth" account takeover).
      email: unverified ? undefined : email,
      groups: groupsFrom(payload[claims.groups]),
    };
  }

  /** jose's key lookup, behind discovery and a back-off so an issuer outage stays cheap. */
  private async resolveKey(header: JWSHeaderParameters, jws: FlattenedJWSInput): Promise<KeyLike> {
    const keySet = this.keySet ?? (await this.discover());
    const recent = this.recent(this.keySetFailure);
    if (recent) return lastKnownKey(keySet, header, jws, recent);
    try {
      // jose refetches on a cache miss (an unknown `kid`) at most once per cooldown, and after the
      // max age; concurrent misses share one request.
      return await keySet(header, jws);
    } catch (error) {
      if (!isKeySetFetchFailure(error)) throw keyRefusalFor(error);
      // jose remembers only successful fetches, so without this every token would retry a failing
      // issuer, each waiting up to the timeout.
      const failure =
        error instanceof errors.JWKSInvalid
          ? new AuthFailure(`invalid JWKS: ${error.message}`)
          : issuerUnreachable('JWKS', error);
      this.keySetFailure = { at: this.now(), failure };
      return lastKnownKey(keySet, header, jws, failure);
    }
  }

  /** The key set named by the discovery document: fetched once, shared by concurrent callers. */
  private async discover(): Promise<RemoteKeySet> {
    const recent = this.recent(this.discoveryFailure);
    if (recent) throw recent;
    // `finally` runs after the assignment (it is always asynchronous), so the slot is cleared even
    // when discovery fails at once.
    this.pendingDiscovery ??= this.loadDiscoveredKeySet().finally(() => {
      this.pendingDiscovery = undefined;
    });
    return this.pendingDiscovery;
  }

  private async loadDiscoveredKeySet(): Promise<RemoteKeySet> {
    try {
      const url = await discoverJwksUrl(this.settings.issuer, {
        fetch: this.fetch,
        timeoutMs: this.settings.discoveryTimeoutMs,
      });
      this.keySet = this.remoteKeySet(url);
      return this.keySet;
    } catch (error) {
      const failure = error instanceof AuthFailure ? error : issuerUnreachable('discovery', error);
      this.discoveryFailure = { at: this.now(), failure };
      throw failure;
    }
  }

  private remoteKeySet(url: URL): RemoteKeySet {
    return createRemoteJWKSet(url, {
      cooldownDuration: this.settings.jwksCooldownMs,
      cacheMaxAge: OIDC_JWKS_MAX_AGE_MS,
      timeoutDuration: this.settings.discoveryTimeoutMs,
    });
  }

  /** The failure, if it happened less than a cooldown ago. */
  private recent(failure: RecentFailure | undefined): AuthFailure | undefined {
    if (failure === undefined) return undefined;
    return this.now() - failure.at < this.settings.jwksCooldownMs ? failure.failure : undefined;
  }
}

/**
 * While the issuer cannot be reached, the keys it last published keep verifying: refusing every
 * user would turn the issuer's outage into the api's. A token naming any other key is refused with
 * the outage as the reason, since the outage is why its key cannot be looked up.
 */
async function lastKnownKey(
  keySet: RemoteKeySet,
  header: JWSHeaderParameters,
  jws: FlattenedJWSInput,
  failure: AuthFailure,
): Promise<KeyLike> {
  const lastKnown = keySet.jwks();
  if (lastKnown === undefined) throw failure;
  try {
    return await createLocalJWKSet(lastKnown)(header, jws);
  } catch (error) {
    throw error instanceof errors.JWKSNoMatchingKey ? failure : keyRefusalFor(error);
  }
}

/** Whether jose failed to get the key set at all (versus finding no key for this token in it). */
function isKeySetFetchFailure(error: unknown): boolean {
  if (!(error instanceof errors.JOSEError)) return true; // the network: refused, reset, DNS, TLS
  return (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    // jose's base class itself is what it throws for a non-200 answer or a body that is not JSON.
    error.code === errors.JOSEError.code
  );
}

/** The refusal when the key set was fetched but yields no single key for the token. */
function keyRefusalFor(error: unknown): AuthFailure {
  if (error instanceof AuthFailure) return error;
  if (error instanceof errors.JWKSNoMatchingKey) return new AuthFailure('unknown key');
  // Several keys fit a token without `kid`; trying each would let one token cost many verifications.
  if (error instanceof errors.JWKSMultipleMatchingKeys) return new AuthFailure('ambiguous key');
  return new AuthFailure(`invalid JWKS: ${messageOf(error)}`);
}

/** Maps what jose threw to the reason that goes to the log. */
function refusalFor(error: unknown): AuthFailure {
  if (error instanceof AuthFailure) return error;
  if (error instanceof errors.JWTExpired) return new AuthFailure('token expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    // `reason` is 'missing', 'check_failed' or 'invalid' (the claim has the wrong type).
    if (error.reason === 'invalid') return new AuthFailure(`malformed token: bad "${error.claim}"`);
    switch (error.claim) {
      case 'iss':
        return new AuthFailure('wrong issuer');
      case 'aud':
        return new AuthFailure('wrong audience');
      case 'nbf':
        return new AuthFailure('token not yet valid');
      case 'exp':
        return new AuthFailure('missing expiry');
    }
    return new AuthFailure(`claim check failed: ${error.claim}`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new AuthFailure('algorithm not allowed');
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new AuthFailure('signature invalid');
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return new AuthFailure('malformed token');
  }
  // e.g. a `crit` header naming an extension jose does not implement (RFC 7515 §4.1.11).
  if (error instanceof errors.JOSENotSupported) {
    return new AuthFailure(`unsupported token: ${error.message}`);
  }
  return new AuthFailure(`token refused: ${messageOf(error)}`);
}

function stringClaim(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Groups as issuers send them: an array of strings, or one space-separated string (like `scope`). */
function groupsFrom(value: unknown): string[] {
  const entries: unknown[] =
    typeof value === 'string' ? value.split(/\s+/) : Array.isArray(value) ? value : [];
  const groups = entries.filter(
    (entry): entry is string => typeof entry === 'string' && entry !== '',
  );
  return [...new Set(groups)];
}

function messageOf(error: unknown): string {
  const message = (error as Partial<Error> | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
