import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { ApiKeySummary, CreatedApiKey, NewApiKey } from '@tokenstream/stream-contracts';
import { randomBytes } from 'node:crypto';
import { AuditActions } from '@tokenstream/stream-contracts';
import { AuditRepository } from '../audit/audit-repository';
import { newUuidV7 } from '../common/uuid-v7';
import { Database } from '../database/database';
import { useDatabase } from '../database/database-access';
import { databaseUnavailable } from '../database/database-unavailable';
import { hashApiKey } from './api-key-registry';
import { ManagedKeyRepository, type ManagedKey } from './managed-key-repository';

/** Every key made at runtime starts so: only such a key is looked up in the database. */
export const MANAGED_KEY_PREFIX = 'sk-ts-';

/** How many characters of a key its `prefix` shows: the marker and 6 of its 43 random ones. */
const SHOWN_PREFIX_LENGTH = MANAGED_KEY_PREFIX.length + 6;

/**
 * How long a lookup is trusted, on this instance: a key revoked or made on another instance is
 * seen here within this time, and within a second with the request that sees it.
 */
export const KEY_CACHE_MS = 500;

/** The most lookups remembered; past it the oldest are forgotten. */
const MAX_CACHED_KEYS = 10_000;

/** How often the times keys were last used are written: off every request's path. */
const LAST_USED_FLUSH_MS = 30_000;

/**
 * The keys admins make at runtime (`/api/admin/keys`), kept in the database as hashes. A presented
 * key is looked up at most twice a second per key on each instance, so a key made or revoked on
 * one instance holds on every other within {@link KEY_CACHE_MS}, with no restart and no query per
 * request. When a key was last used is written in the background, a batch every 30 s.
 */
@Injectable()
export class ManagedKeys implements OnModuleDestroy {
  private readonly logger = new Logger(ManagedKeys.name);
  private readonly cache = new Map<string, { key: ManagedKey | undefined; until: number }>();
  private readonly used = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(private readonly database: Database) {}

  /**
   * Makes a key for `createdBy`: its secret is in the answer, only its hash in the database, and
   * `key.created` in the audit trail, in the same transaction as the key.
   */
  async create(request: NewApiKey, createdBy: string, at: Date): Promise<CreatedApiKey> {
    const key = `${MANAGED_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const id = newUuidV7(at.getTime());
    const prefix = key.slice(0, SHOWN_PREFIX_LENGTH);
    const stored = await this.inTransaction(async (keys, audit) => {
      const made = await keys.create({
        ...request,
        id,
        sha256: hashApiKey(key),
        prefix,
        createdBy,
        createdAt: at,
      });
      // Everything but the secret.
      const { name, groups, models, expiresAt, budget } = made;
      const detail = { name, prefix, groups, models, expiresAt, budget };
      const action = AuditActions.keyCreated;
      await audit.append([{ at, actor: createdBy, action, target: id, detail }]);
      return made;
    });
    return { ...stored, key };
  }

  list(): Promise<ApiKeySummary[]> {
    return this.use((repository) => repository.list());
  }

  /**
   * Revokes a key for `revokedBy`, with `key.revoked` in the audit trail in the same transaction
   * (once: revoking it again changes nothing); undefined when there is no such key.
   */
  revoke(id: string, at: Date, revokedBy: string): Promise<ApiKeySummary | undefined> {
    return this.inTransaction(async (keys, audit) => {
      const revoked = await keys.revoke(id, at);
      // Revoked by this call: its time is this one's.
      if (revoked?.revokedAt === at.toISOString()) {
        const detail = { name: revoked.name, prefix: revoked.prefix };
        const action = AuditActions.keyRevoked;
        await audit.append([{ at, actor: revokedBy, action, target: id, detail }]);
      }
      return revoked;
    });
  }

  /**
   * The made key `presented` is, revoked and expired ones included, or undefined; rejects with a
   * `503` when the database is out of reach and this instance has no recent answer.
   */
  async find(presented: string, now: number): Promise<ManagedKey | undefined> {
    const sha256 = hashApiKey(presented);
    const cached = this.cache.get(sha256);
    if (cached && cached.until > now) return cached.key;
    const key = await this.use((repository) => repository.findByHash(sha256));
    if (this.cache.size >= MAX_CACHED_KEYS) this.cache.clear();
    this.cache.set(sha256, { key, until: now + KEY_CACHE_MS });
    return key;
  }

  /** Notes that the key `id` was used; written with the next batch. */
  noteUsed(id: string): void {
    this.used.add(id);
    this.flushTimer ??= setTimeout(() => void this.flushUsed(), LAST_USED_FLUSH_MS).unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.flushTimer);
    await this.flushUsed();
  }

  private async flushUsed(): Promise<void> {
    this.flushTimer = undefined;
    const ids = [...this.used];
    this.used.clear();
    if (ids.length === 0) return;
    await this.use((repository) => repository.touch(ids, new Date())).catch((error: unknown) =>
      this.logger.warn({ err: error, keys: ids.length }, 'when keys were last used was not kept'),
    );
  }

  private use<T>(use: (repository: ManagedKeyRepository) => Promise<T>): Promise<T> {
    return useDatabase(
      this.database,
      (db) => use(new ManagedKeyRepository(db)),
      () => databaseUnavailable('The keys'),
      this.logger,
    );
  }

  /** Runs `use` in one transaction over the keys and the audit trail. */
  private inTransaction<T>(
    use: (keys: ManagedKeyRepository, audit: AuditRepository) => Promise<T>,
  ): Promise<T> {
    return useDatabase(
      this.database,
      (db) =>
        db
          .transaction()
          .execute((tx) => use(new ManagedKeyRepository(tx), new AuditRepository(tx))),
      () => databaseUnavailable('The keys'),
      this.logger,
    );
  }
}
