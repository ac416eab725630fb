import type { Budget } from '@tokenstream/stream-contracts';
import type { PrincipalLimits } from './principal-limits';

/** How a caller proved who it is. */
export type AuthMethod = 'none' | 'oidc' | 'proxy' | 'apikey';

/** Who is calling: a person (through SSO) or a service (through an API key). */
export interface Principal {
  /** Stable and unique per caller: streams belong to it and limits count by it. */
  id: string;
  kind: 'user' | 'service' | 'anonymous';
  via: AuthMethod;
  name?: string;
  email?: string;
  groups: string[];
  /** The id of the key made at runtime the caller came with (`/api/admin/keys`), if any. */
  keyId?: string;
  /** The budget in money of that key, if it was made with one. */
  budget?: Budget;
  /** The models this caller may use, when narrower than what the api offers (an API key's list). */
  models?: string[];
  /** This caller's own limits, overriding the configured defaults (an API key's `limits`). */
  limits?: Partial<PrincipalLimits>;
}

/** The caller when authentication is off (`AUTH_MODE=none`): everyone is the same anonymous user. */
export const ANONYMOUS: Principal = { id: 'anonymous', kind: 'anonymous', via: 'none', groups: [] };
