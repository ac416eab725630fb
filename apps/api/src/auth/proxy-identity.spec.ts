import { AuthFailure } from './auth-failure';
import { ProxyIdentity } from './proxy-identity';

const proxy = new ProxyIdentity({
  trustedCidrs: ['10.0.0.0/8', '127.0.0.1', '::1/128'],
  userHeaders: ['x-auth-request-user', 'x-forwarded-user'],
  emailHeaders: ['x-auth-request-email', 'x-forwarded-email'],
  groupsHeaders: ['x-auth-request-groups'],
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
    expect(proxy.identify({ 'x-forwarded-user': 'bob' }, '::ffff:127.0.0.1')?.id).toBe('proxy:bob');
    expect(proxy.identify({ 'x-forwarded-email': 'c@example.com' }, '::1')?.id).toBe(
      'proxy:c@example.com',
    );
  });

  it('refuses identity headers from any other address, never making a principal of them', () => {
    expect(() => proxy.identify({ 'x-forwarded-user': 'admin' }, '192.168.1.10')).toThrow(
      AuthFailure,
    );
    expect(() => proxy.identify({ 'x-auth-request-email': 'a@b' }, '11.0.0.1')).toThrow(
      AuthFailure,
    );
    expect(() => proxy.identify({ 'x-forwarded-user': 'admin' }, undefined)).toThrow(AuthFailure);
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
