import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { AuthConfig } from '../config/auth-config';
import { AuthFailure } from './auth-failure';
import type { Principal } from '../shared/principal';

type ProxySettings = NonNullable<AuthConfig['proxy']>;
type Headers = Record<string, string | string[] | undefined>;

function valueOf(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
}

/** An IPv4 client seen through an IPv6 socket arrives as `::ffff:10.0.0.1`. */
function normalize(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1], family: 'ipv4' };
  return { address, family: isIPv4(address) ? 'ipv4' : 'ipv6' };
}

/**
 * The identity an auth proxy (oauth2-proxy and the like) forwards in headers, believed only from the
 * proxy's own addresses. From anywhere else such headers are a forgery: refused, never a principal.
 *
 * Exactly one header is read per field (one family, e.g. `X-Auth-Request-User`/`-Email`/`-Groups`).
 * Reading several families, first present wins per field, let a client complete its identity with
 * the family its proxy does not set (and so passes through): oauth2-proxy sets
 * `X-Auth-Request-User`, the client adds `X-Forwarded-Groups: admins`. Headers of any other family
 * are ignored rather than refused: unread, they grant nothing, and a proxy that sets both families
 * (or passes a client's through) still works.
 */
export class ProxyIdentity {
  private readonly trusted = new BlockList();
  private readonly identityHeaders: string[];

  constructor(private readonly settings: ProxySettings) {
    for (const cidr of settings.trustedCidrs) {
      const [address, bits] = cidr.split('/');
      const family = isIPv6(address) ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.trusted.addAddress(address, family);
      else this.trusted.addSubnet(address, Number(bits), family);
    }
    this.identityHeaders = [settings.userHeader, settings.emailHeader, settings.groupsHeader];
  }

  /** True when the request carries any of the configured identity headers, trusted or not. */
  claimsIdentity(headers: Headers): boolean {
    return this.identityHeaders.some((name) => headers[name] !== undefined);
  }

  /**
   * The principal the proxy vouches for, or `undefined` if the request carries no identity
   * headers. Throws {@link AuthFailure} for identity headers from an untrusted address.
   */
  identify(headers: Headers, remoteAddress: string | undefined): Principal | undefined {
    if (!this.claimsIdentity(headers)) return undefined;
    const peer = remoteAddress ? normalize(remoteAddress) : undefined;
    if (!peer || !this.trusted.check(peer.address, peer.family)) {
      throw new AuthFailure(
        `identity headers from untrusted address ${remoteAddress ?? 'unknown'}`,
      );
    }
    const user = valueOf(headers, this.settings.userHeader);
    const email = valueOf(headers, this.settings.emailHeader);
    const subject = user ?? email;
    if (!subject) throw new AuthFailure('proxy sent identity headers without a user or email');
    const groups = (valueOf(headers, this.settings.groupsHeader) ?? '')
      .split(',')
      .map((group) => group.trim())
      .filter(Boolean);
    return { id: `proxy:${subject}`, kind: 'user', via: 'proxy', name: user, email, groups };
  }
}
