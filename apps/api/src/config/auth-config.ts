import { isIP } from 'node:net';
import type { Settings } from './settings';
import { list } from './setting-types';

/** Who may call the api, and how they prove it. */
export interface AuthConfig {
  /** The accepted methods; a request passes if any of them accepts it. */
  modes: ('none' | 'oidc' | 'proxy' | 'apikey')[];
  oidc?: {
    issuer: string;
    jwksUrl?: string;
    audience: string[];
    algorithms?: string[];
    clockToleranceSeconds: number;
    claims: { subject: string; email: string; name: string; groups: string };
  };
  proxy?: {
    trustedCidrs: string[];
    /** The one header each field is read from (lower case): one family, e.g. `x-auth-request-*`. */
    userHeader: string;
    emailHeader: string;
    groupsHeader: string;
  };
  apiKeysFile?: string;
  /** Groups whose members are admins (`ADMIN_GROUPS`); empty: nobody is. */
  adminGroups: string[];
  /** Where the web app sends a user whose session expired; `{returnTo}` is the page to come back to. */
  signInUrl?: string;
}

/** The authentication the settings describe; what is wrong with them goes to `problems`. */
export function authConfigFrom(settings: Settings, problems: string[]): AuthConfig {
  // Open by default would be the wrong default in production: there it takes a decision, even "none".
  if (settings.AUTH_MODE === undefined && settings.NODE_ENV === 'production') {
    problems.push(
      'AUTH_MODE is unset: NODE_ENV=production needs an explicit choice; set AUTH_MODE=oidc|proxy|apikey, or AUTH_MODE=none to run open on purpose',
    );
  }
  const modes = list(settings.AUTH_MODE ?? 'none') as AuthConfig['modes'];
  const auth: AuthConfig = {
    modes,
    signInUrl: settings.AUTH_SIGN_IN_URL,
    adminGroups: list(settings.ADMIN_GROUPS),
  };
  if (modes.includes('none') && modes.length > 1) {
    problems.push(
      `AUTH_MODE=${JSON.stringify(settings.AUTH_MODE)}: "none" accepts everyone, so it cannot be combined`,
    );
  }
  if (modes.includes('oidc')) auth.oidc = oidcConfigFrom(settings, problems);
  if (modes.includes('proxy')) auth.proxy = proxyConfigFrom(settings, problems);
  if (modes.includes('apikey')) {
    if (!settings.API_KEYS_FILE)
      problems.push('API_KEYS_FILE is unset: AUTH_MODE=apikey needs the file of key hashes');
    auth.apiKeysFile = settings.API_KEYS_FILE;
  }
  return auth;
}

function oidcConfigFrom(settings: Settings, problems: string[]): AuthConfig['oidc'] {
  const audience = list(settings.OIDC_AUDIENCE);
  if (!settings.OIDC_ISSUER)
    problems.push('OIDC_ISSUER is unset: AUTH_MODE=oidc needs the issuer URL');
  if (audience.length === 0) {
    problems.push(
      'OIDC_AUDIENCE is unset: AUTH_MODE=oidc needs the audience tokens must be issued for',
    );
  }
  const algorithms = list(settings.OIDC_ALGORITHMS);
  const unsafe = algorithms.filter((alg) => alg === 'none' || /^HS/.test(alg));
  if (unsafe.length > 0) {
    problems.push(
      `OIDC_ALGORITHMS=${JSON.stringify(settings.OIDC_ALGORITHMS)}: ${unsafe.join(', ')} not allowed (asymmetric algorithms only)`,
    );
  }
  return {
    issuer: settings.OIDC_ISSUER ?? '',
    jwksUrl: settings.OIDC_JWKS_URL,
    audience,
    algorithms: algorithms.length > 0 ? algorithms : undefined,
    clockToleranceSeconds: settings.OIDC_CLOCK_TOLERANCE_S,
    claims: {
      subject: settings.OIDC_CLAIM_SUBJECT,
      email: settings.OIDC_CLAIM_EMAIL,
      name: settings.OIDC_CLAIM_NAME,
      groups: settings.OIDC_CLAIM_GROUPS,
    },
  };
}

function proxyConfigFrom(settings: Settings, problems: string[]): AuthConfig['proxy'] {
  const trustedCidrs = list(settings.TRUSTED_PROXY_CIDRS);
  if (trustedCidrs.length === 0) {
    problems.push(
      'TRUSTED_PROXY_CIDRS is unset: AUTH_MODE=proxy must know which addresses its proxy calls from',
    );
  }
  const bad = trustedCidrs.filter((cidr) => !isCidr(cidr));
  if (bad.length > 0) {
    problems.push(
      `TRUSTED_PROXY_CIDRS=${JSON.stringify(settings.TRUSTED_PROXY_CIDRS)}: not CIDR blocks: ${bad.join(', ')}`,
    );
  }
  // One family only (see ProxyIdentity): `<prefix>-user`, `-email`, `-groups`, each overridable.
  return {
    trustedCidrs,
    userHeader: settings.PROXY_USER_HEADER ?? `${settings.PROXY_HEADERS}-user`,
    emailHeader: settings.PROXY_EMAIL_HEADER ?? `${settings.PROXY_HEADERS}-email`,
    groupsHeader: settings.PROXY_GROUPS_HEADER ?? `${settings.PROXY_HEADERS}-groups`,
  };
}

/** `10.0.0.0/8`, `127.0.0.1/32`, `::1/128`, or a bare address (one host). */
function isCidr(value: string): boolean {
  const [address, bits, extra] = value.split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  const prefix = Number(bits);
  return /^\d+$/.test(bits) && prefix <= (version === 4 ? 32 : 128);
}
