import type { MeResponse } from '@tokenstream/stream-contracts';
import { displayNameOf } from './current-user';

const me = (fields: Partial<MeResponse>): MeResponse => ({
  id: 'proxy:alice',
  kind: 'user',
  via: 'proxy',
  groups: [],
  models: [],
  embeddingModels: [],
  isAdmin: false,
  ...fields,
});

describe('displayNameOf', () => {
  it('shows a signed-in user by name, else by email', () => {
    expect(displayNameOf(me({ name: 'Alice Doe', email: 'alice@example.com' }))).toBe('Alice Doe');
    expect(displayNameOf(me({ email: 'alice@example.com' }))).toBe('alice@example.com');
  });

  it('shows nobody when authentication is off or unknown', () => {
    expect(displayNameOf(me({ id: 'anonymous', kind: 'anonymous', via: 'none' }))).toBeUndefined();
    expect(displayNameOf(undefined)).toBeUndefined();
  });
});
