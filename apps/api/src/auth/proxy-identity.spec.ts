import { AuthFailure } from './auth-failure';
import { ProxyIdentity } from './proxy-identity';

const TRUSTED = ['10.0.0.0/8', '127.0.0.1', '::1/128'];

/** The default configuration: oauth2-proxy's `X-Auth-Request-*` family. */
const proxy = new ProxyIdentity({
  trustedCidrs: TRUSTED,
  userHeader: 'x-auth-request-user',
  emailHeader: 'x-auth-request-email',
  groupsHeader: 'x-auth-request-groups',
});

describe('ProxyIdentity', () => {
  it('believes the identity headers from a trusted address', () => {
    const principal = proxy.identify(
      {
        'x-auth-request-user': 'alice',
        'x-auth-request-email': 'alice@example.com',
        'x-auth-request-groups': 'staff, admins',
      },
      '10.1.2.3',
    );
    expect(principal).toEqual({
      id: 'proxy:alice',
      kind: 'user',
      via: 'proxy',
      name: 'alice',
      email: 'alice@example.com',
      groups: ['staff', 'admins'],
    });
  });

  it('reads an IPv4 peer seen through an IPv6 socket, and IPv6 peers', () => {
    expect(proxy.identify({ 'x-auth-request-user': 'bob' }, '::ffff:127.0.0.1')?.id).toBe(
      'proxy:bob',
    );
    expect(proxy.identify({ 'x-auth-request-email': 'c@example.com' }, '::1')?.id).toBe(
      'proxy:c@example.com',
    );
  });

  it('refuses identity headers from any other address, never making a principal of them', () => {
    expect(() => proxy.identify({ 'x-auth-request-user': 'admin' }, '192.168.1.10')).toThrow(
      AuthFailure,
    );
    expect(() => proxy.identify({ 'x-auth-request-email': 'a@b' }, '11.0.0.1')).toThrow(
      AuthFailure,
    );
    expect(() => proxy.identify({ 'x-auth-request-user': 'admin' }, undefined)).toThrow(
      AuthFailure,
    );
  });

  it('grants no groups from a forged header of the other family beside the real user', () => {
    // oauth2-proxy set X-Auth-Request-User; the client's own X-Forwarded-Groups passed through it.
    const principal = proxy.identify(
      { 'x-auth-request-user': 'alice', 'x-forwarded-groups': 'admins' },
      '10.1.2.3',
    );
    expect(principal).toMatchObject({ id: 'proxy:alice', groups: [] });
  });

  it('never takes the user or email from the other family', () => {
    const principal = proxy.identify(
      {
        'x-auth-request-email': 'alice@example.com',
        'x-forwarded-user': 'admin',
        'x-forwarded-email': 'admin@example.com',
      },
      '10.1.2.3',
    );
    expect(principal).toMatchObject({ id: 'proxy:alice@example.com', email: 'alice@example.com' });
    expect(principal?.name).toBeUndefined();
    // Alone, the other family is no identity claim at all: from anywhere, nothing to say.
    expect(proxy.identify({ 'x-forwarded-user': 'admin' }, '10.1.2.3')).toBeUndefined();
    expect(proxy.identify({ 'x-forwarded-user': 'admin' }, '192.168.1.10')).toBeUndefined();
  });

  it('reads only the family it is configured with, e.g. X-Forwarded-*', () => {
    const forwarded = new ProxyIdentity({
      trustedCidrs: TRUSTED,
      userHeader: 'x-forwarded-user',
      emailHeader: 'x-forwarded-email',
      groupsHeader: 'x-forwarded-groups',
    });
    const principal = forwarded.identify(
      {
        'x-forwarded-user': 'bob',
        'x-auth-request-user': 'admin',
        'x-auth-request-groups': 'admins',
      },
      '10.0.0.9',
    );
    expect(principal).toMatchObject({ id: 'proxy:bob', name: 'bob', groups: [] });
  });

  it('has nothing to say about a request without identity headers', () => {
    expect(proxy.identify({ authorization: 'Bearer x' }, '192.168.1.10')).toBeUndefined();
  });

  it('refuses a trusted request whose identity headers name nobody', () => {
    expect(() => proxy.identify({ 'x-auth-request-groups': 'admins' }, '10.0.0.1')).toThrow(
      /without a user/,
    );
  });
});
