import { Inject, Injectable } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import type { AppConfig } from '../config/app-config';
import { CONFIG } from '../config/config-slices';
import { AuditActions } from '@tokenstream/stream-contracts';
import { AuditTrail } from '../audit/audit-trail';
import { ApiKeyRegistry } from './api-key-registry';
import { AuthFailure } from './auth-failure';
import { OidcTokenVerifier } from './oidc-token-verifier';
import { oidcSettingsFrom } from './oidc-settings-from-config';
import { ANONYMOUS, type Principal } from '../shared/principal';
import { ProxyIdentity } from './proxy-identity';
import { MANAGED_KEY_PREFIX, ManagedKeys } from './managed-keys';

/** A compact JWS: three base64url parts. API keys never look like this. */
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/;

/** What the authenticator needs of a request. */
export interface CredentialSource {
  headers: IncomingHttpHeaders;
  remoteAddress: string | undefined;
}

/**
 * Recognises the caller by each configured method (`AUTH_MODE`); a request passes if any accepts
 * it. Identity headers are judged first and only from the trusted proxy; then an API key
 * (`X-API-Key`, or a bearer that is not a JWT): one of the keys file, or one an admin made at
 * runtime (`sk-ts-…`, looked up in the database); then an OIDC bearer token.
 */
@Injectable()
export class Authenticator {
  private readonly open: boolean;
  private readonly proxy?: ProxyIdentity;
  private readonly keys?: ApiKeyRegistry;
  private readonly oidc?: OidcTokenVerifier;

  constructor(
    @Inject(CONFIG.auth) auth: AppConfig['auth'],
    private readonly managedKeys: ManagedKeys,
    private readonly audit: AuditTrail,
  ) {
    this.open = auth.modes.includes('none');
    if (auth.proxy) this.proxy = new ProxyIdentity(auth.proxy);
    if (auth.apiKeysFile) this.keys = ApiKeyRegistry.fromFile(auth.apiKeysFile);
    if (auth.oidc) this.oidc = new OidcTokenVerifier(oidcSettingsFrom(auth.oidc));
  }

  /** The caller, or an {@link AuthFailure} whose reason is for the log only. */
  async authenticate(request: CredentialSource): Promise<Principal> {
    if (this.open) return ANONYMOUS;
    const { headers } = request;
    const fromProxy = this.proxy?.identify(headers, request.remoteAddress);
    if (fromProxy) return fromProxy;

    const apiKey = single(headers['x-api-key']);
    if (apiKey !== undefined) return this.byApiKey(apiKey);

    const authorization = single(headers.authorization);
    if (authorization === undefined) throw new AuthFailure('no credentials');
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    if (!bearer) throw new AuthFailure('authorization header is not a bearer token');
    if (this.oidc && JWT_SHAPE.test(bearer)) return this.oidc.verify(bearer);
    if (this.keys) return this.byApiKey(bearer);
    throw new AuthFailure(this.oidc ? 'bearer is not a JWT' : 'bearer tokens are not accepted');
  }

  private async byApiKey(key: string): Promise<Principal> {
    if (!this.keys) throw new AuthFailure('API keys are not accepted');
    const entry = this.keys.find(key);
    if (entry) {
      return { ...ApiKeyRegistry.principalOf(entry), models: entry.models, limits: entry.limits };
    }
    if (!key.startsWith(MANAGED_KEY_PREFIX)) throw new AuthFailure('unknown or revoked API key');
    const now = Date.now();
    const made = await this.managedKeys.find(key, now);
    if (!made) throw new AuthFailure('unknown API key');
    const over = made.revokedAt
      ? 'revoked'
      : made.expiresAt && made.expiresAt.getTime() <= now
        ? 'expired'
        : undefined;
    if (over) {
      this.audit.noteSummarised(`key:${made.id}`, {
        at: new Date(now),
        actor: `apikey:${made.name}`,
        action: AuditActions.revokedKeyUsed,
        target: made.id,
        detail: { reason: over },
      });
      throw new AuthFailure(`${over} API key`);
    }
    this.managedKeys.noteUsed(made.id);
    return {
      ...ApiKeyRegistry.principalOf(made),
      keyId: made.id,
      budget: made.budget ?? undefined,
      models: made.models ?? undefined,
      limits: made.limits ?? undefined,
    };
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
