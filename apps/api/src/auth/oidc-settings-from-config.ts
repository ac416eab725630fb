import type { AuthConfig } from '../config/auth-config';
import { DEFAULT_OIDC_SETTINGS, type OidcSettings } from './oidc-settings';

/** The verifier's settings for the `OIDC_*` configuration, with defaults where it is silent. */
export function oidcSettingsFrom(oidc: NonNullable<AuthConfig['oidc']>): OidcSettings {
  return {
    ...DEFAULT_OIDC_SETTINGS,
    issuer: oidc.issuer,
    jwksUrl: oidc.jwksUrl,
    audience: oidc.audience,
    algorithms: oidc.algorithms ?? DEFAULT_OIDC_SETTINGS.algorithms,
    clockToleranceSeconds: oidc.clockToleranceSeconds,
    claims: oidc.claims,
  };
}
