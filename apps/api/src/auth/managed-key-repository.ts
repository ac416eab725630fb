import type {
  ApiKeySummary,
  Budget,
  CreatedApiKey,
  NewApiKey,
} from '@tokenstream/stream-contracts';
import type { Selectable } from 'kysely';
import type { ApiKeysTable } from '../database/database-tables';
import type { AppDatabase } from '../database/open-database';
import type { PrincipalLimits } from '../shared/principal-limits';

/** A key made at runtime, as the api checks a presented key against it. */
export interface ManagedKey {
  id: string;
  name: string;
  groups: string[];
  models: string[] | null;
  limits: Partial<PrincipalLimits> | null;
  budget: Budget | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** What is known of a key when it is made: the request, who made it, when, and its secret. */
export interface KeyToStore extends NewApiKey {
  id: string;
  sha256: string;
  prefix: string;
  createdBy: string;
  createdAt: Date;
}

/** A key name already held by a key in use (the unique index on live names). */
export class KeyNameTakenError extends Error {
  constructor(readonly keyName: string) {
    super(`a key named ${keyName} is in use`);
  }
}

/** PostgreSQL's unique violation. */
const UNIQUE_VIOLATION = '23505';

/** The `api_keys` table: keys made at runtime, by the SHA-256 of their secret. */
export class ManagedKeyRepository {
  constructor(private readonly db: AppDatabase) {}

  /** Stores a new key; throws {@link KeyNameTakenError} when a live key has its name. */
  async create(key: KeyToStore): Promise<Omit<CreatedApiKey, 'key'>> {
    try {
      await this.db
        .insertInto('api_keys')
        .values({
          id: key.id,
          name: key.name,
          prefix: key.prefix,
          sha256: key.sha256,
          groups: JSON.stringify(key.groups ?? []),
          models: key.models ? JSON.stringify(key.models) : null,
          limits: key.limits ? JSON.stringify(key.limits) : null,
          budget: key.budget ? JSON.stringify(key.budget) : null,
          expires_at: key.expiresAt ? new Date(key.expiresAt) : null,
          created_at: key.createdAt,
          created_by: key.createdBy,
        })
        .execute();
    } catch (error) {
      if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) {
        throw new KeyNameTakenError(key.name);
      }
      throw error;
    }
    return {
      id: key.id,
      name: key.name,
      prefix: key.prefix,
      groups: key.groups ?? [],
      models: key.models ?? null,
      expiresAt: key.expiresAt ? new Date(key.expiresAt).toISOString() : null,
      budget: key.budget ?? null,
      createdAt: key.createdAt.toISOString(),
    };
  }

  /** Every key, newest first, revoked ones included. */
  async list(): Promise<ApiKeySummary[]> {
    const rows = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(summaryOf);
  }

  /** The key whose secret hashes to `sha256`, revoked or not. */
  async findByHash(sha256: string): Promise<ManagedKey | undefined> {
    const row = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('sha256', '=', sha256)
      .executeTakeFirst();
    return (
      row && {
        id: row.id,
        name: row.name,
        groups: row.groups,
        models: row.models,
        limits: row.limits,
        budget: row.budget,
        expiresAt: row.expires_at,
        revokedAt: row.revoked_at,
      }
    );
  }

  /**
   * Revokes the key `id` at `at` (once: a key revoked before keeps its time). Answers the key as
   * it now stands, or undefined when there is no such key.
   */
  async revoke(id: string, at: Date): Promise<ApiKeySummary | undefined> {
    await this.db
      .updateTable('api_keys')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
    const row = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && summaryOf(row);
  }

  /** Notes that the keys `ids` were used at `at`. */
  async touch(ids: readonly string[], at: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('api_keys')
      .set({ last_used_at: at })
      .where('id', 'in', ids)
      .execute();
  }
}

function summaryOf(row: Selectable<ApiKeysTable>): ApiKeySummary {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    groups: row.groups,
    models: row.models,
    limits: row.limits,
    budget: row.budget,
    expiresAt: row.expires_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}
