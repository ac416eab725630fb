/** The prefix of every id the OIDC verifier hands out, so ids from other methods cannot collide. */
export const OIDC_PRINCIPAL_ID_PREFIX = 'oidc:';

/**
 * The principal id of an OIDC user: `oidc:<issuer>|<subject>`.
 *
 * Issuer and subject together are the only stable identifier of an end user (OIDC Core §5.7): a
 * subject is unique and never reassigned within its issuer, while email and name change. The issuer
 * is in the id so two identity providers cannot map onto one user; it may not contain `|` (the
 * verifier refuses such an issuer), so the first `|` always ends it and the id is unambiguous
 * whatever the subject holds.
 */
export function oidcPrincipalId(issuer: string, subject: string): string {
  return `${OIDC_PRINCIPAL_ID_PREFIX}${issuer}|${subject}`;
}
