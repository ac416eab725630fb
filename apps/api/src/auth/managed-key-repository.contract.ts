import { sql } from 'kysely';
import { AuditRepository } from '../audit/audit-repository';
import { newUuidV7 } from '../common/uuid-v7';
import type { AppDatabase } from '../database/open-database';
import { hashApiKey } from './api-key-registry';
import { KeyNameTakenError, ManagedKeyRepository, type KeyToStore } from './managed-key-repository';

/**
 * What every database keys made at runtime and the audit trail are kept in must do, run against
 * the embedded PostgreSQL and a real server. `open` gives a migrated, empty database.
 */
export function describeKeysAndAudit(name: string, open: () => Promise<AppDatabase>): void {
  describe(`${name} (keys and audit contract)`, () => {
    let db: AppDatabase;
    let keys: ManagedKeyRepository;
    let audit: AuditRepository;
    const at = new Date('2026-12-07T10:00:00.000Z');

    beforeAll(async () => {
      db = await open();
      keys = new ManagedKeyRepository(db);
      audit = new AuditRepository(db);
    });
    afterAll(() => db.destroy());

    let made = 0;
    function key(secret: string, change: Partial<KeyToStore> = {}): KeyToStore {
      made += 1;
      return {
        id: newUuidV7(),
        name: `svc-${made}`,
        sha256: hashApiKey(secret),
        prefix: secret.slice(0, 8),
        createdBy: 'user:admin',
        createdAt: at,
        ...change,
      };
    }

    it('keeps a key by its hash, with what it may do, and finds it by the hash alone', async () => {
      const stored = key('sk-ts-one', {
        groups: ['ml'],
        models: ['gpt-4o'],
        limits: { requestsPerMinute: 5 },
        budget: { usd: 12.5, period: 'month' },
        expiresAt: '2027-01-01T00:00:00Z',
      });
      const created = await keys.create(stored);
      expect(created).toEqual({
        id: stored.id,
        name: 'svc-1',
        prefix: 'sk-ts-on',
        groups: ['ml'],
        models: ['gpt-4o'],
        expiresAt: '2027-01-01T00:00:00.000Z',
        budget: { usd: 12.5, period: 'month' },
        createdAt: at.toISOString(),
      });
      expect(await keys.findByHash(hashApiKey('sk-ts-one'))).toEqual({
        id: stored.id,
        name: 'svc-1',
        groups: ['ml'],
        models: ['gpt-4o'],
        limits: { requestsPerMinute: 5 },
        budget: { usd: 12.5, period: 'month' },
        expiresAt: new Date('2027-01-01T00:00:00Z'),
        revokedAt: null,
      });
      expect(await keys.findByHash(hashApiKey('sk-ts-other'))).toBeUndefined();
      // No column holds the secret.
      const row = await db
        .selectFrom('api_keys')
        .selectAll()
        .where('id', '=', stored.id)
        .executeTakeFirstOrThrow();
      expect(JSON.stringify(row)).not.toContain('sk-ts-one"');
    });

    it('refuses a second live key of one name, and takes the name again once it is revoked', async () => {
      const first = key('sk-ts-dup', { name: 'billing' });
      await keys.create(first);
      await expect(keys.create(key('sk-ts-dup2', { name: 'billing' }))).rejects.toBeInstanceOf(
        KeyNameTakenError,
      );
      const revoked = await keys.revoke(first.id, new Date(at.getTime() + 1_000));
      expect(revoked?.revokedAt).toBe('2026-12-07T10:00:01.000Z');
      await expect(keys.create(key('sk-ts-dup3', { name: 'billing' }))).resolves.toMatchObject({
        name: 'billing',
      });
    });

    it('revokes once: a second revoke keeps the first time, and an unknown id is undefined', async () => {
      const stored = key('sk-ts-rev');
      await keys.create(stored);
      await keys.revoke(stored.id, new Date(at.getTime() + 5_000));
      const again = await keys.revoke(stored.id, new Date(at.getTime() + 9_000));
      expect(again?.revokedAt).toBe('2026-12-07T10:00:05.000Z');
      expect((await keys.findByHash(hashApiKey('sk-ts-rev')))?.revokedAt).toEqual(
        new Date(at.getTime() + 5_000),
      );
      expect(await keys.revoke(newUuidV7(), at)).toBeUndefined();
    });

    it('lists every key without its secret, with when it was last used', async () => {
      const stored = key('sk-ts-list');
      await keys.create(stored);
      await keys.touch([stored.id], new Date(at.getTime() + 60_000));
      const listed = (await keys.list()).find((summary) => summary.id === stored.id);
      expect(listed).toMatchObject({
        prefix: 'sk-ts-li',
        createdBy: 'user:admin',
        lastUsedAt: '2026-12-07T10:01:00.000Z',
        revokedAt: null,
        limits: null,
      });
      expect(Object.keys(listed ?? {})).not.toContain('sha256');
    });

    it('appends audit events and reads a period of them, newest first', async () => {
      await audit.append([
        { at: new Date('2026-11-30T23:59:59Z'), actor: 'a', action: 'key.created', target: 'k0' },
        {
          at: new Date('2026-12-01T00:00:00Z'),
          actor: 'a',
          action: 'key.created',
          target: 'k1',
          detail: { name: 'x' },
        },
        { at: new Date('2026-12-02T00:00:00Z'), actor: 'b', action: 'key.revoked', target: 'k1' },
        {
          at: new Date('2027-01-01T00:00:00Z'),
          actor: 'b',
          action: 'budget.set',
          target: 'user:x',
        },
      ]);
      const events = await audit.list(
        new Date('2026-12-01T00:00:00Z'),
        new Date('2027-01-01T00:00:00Z'),
      );
      expect(events).toEqual([
        {
          at: '2026-12-02T00:00:00.000Z',
          actor: 'b',
          action: 'key.revoked',
          target: 'k1',
          detail: {},
        },
        {
          at: '2026-12-01T00:00:00.000Z',
          actor: 'a',
          action: 'key.created',
          target: 'k1',
          detail: { name: 'x' },
        },
      ]);
    });

    it('refuses to change or delete the audit trail, whoever asks', async () => {
      await audit.append([{ at, actor: 'a', action: 'key.created', target: 'kept' }]);
      await expect(
        db.updateTable('audit_events').set({ actor: 'someone else' }).execute(),
      ).rejects.toThrow(/append-only/);
      await expect(db.deleteFrom('audit_events').execute()).rejects.toThrow(/append-only/);
      await expect(sql`truncate audit_events`.execute(db)).rejects.toThrow(/append-only/);
      const kept = await audit.list(new Date(at.getTime() - 1), new Date(at.getTime() + 1));
      expect(kept).toEqual([expect.objectContaining({ target: 'kept', actor: 'a' })]);
    });
  });
}
