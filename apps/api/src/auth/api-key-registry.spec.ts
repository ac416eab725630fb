import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeyRegistry, hashApiKey } from './api-key-registry';

function keysFile(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'keys-')), 'keys.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('ApiKeyRegistry', () => {
  const registry = ApiKeyRegistry.fromFile(
    keysFile({
      keys: [
        { name: 'billing', sha256: hashApiKey('tsk_billing_secret'), models: ['gpt-4o-mini'] },
        { name: 'old-batch', sha256: hashApiKey('tsk_old_secret'), revoked: true },
      ],
    }),
  );

  it('recognises a valid key by its hash, with its models', () => {
    expect(registry.find('tsk_billing_secret')).toMatchObject({
      name: 'billing',
      models: ['gpt-4o-mini'],
    });
  });

  it('refuses a revoked key like an unknown one', () => {
    expect(registry.find('tsk_old_secret')).toBeUndefined();
    expect(registry.find('tsk_billing_secreT')).toBeUndefined();
    expect(registry.find('')).toBeUndefined();
  });

  it('names the principal after the key, as a service', () => {
    expect(ApiKeyRegistry.principalOf(registry.find('tsk_billing_secret')!)).toEqual({
      id: 'apikey:billing',
      kind: 'service',
      via: 'apikey',
      name: 'billing',
      groups: [],
    });
  });

  it.each([
    ['not JSON', '{', /keys\.json: /],
    [
      'a plaintext key instead of a hash',
      { keys: [{ name: 'x', sha256: 'tsk_plain' }] },
      /keys\.0\.sha256 expected 64/,
    ],
    ['an unknown field', { keys: [{ name: 'x', sha256: hashApiKey('k'), key: 'k' }] }, /keys\.0/],
    [
      'a name used twice',
      {
        keys: [
          { name: 'x', sha256: hashApiKey('a') },
          { name: 'x', sha256: hashApiKey('b') },
        ],
      },
      /appears twice/,
    ],
  ])('refuses a keys file with %s, naming the problem', (_name, content, message) => {
    expect(() => ApiKeyRegistry.fromFile(keysFile(content))).toThrow(message);
  });
});
