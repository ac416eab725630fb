import { mkdirSync } from 'node:fs';
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import type { DatabaseLocation } from '../shared/database-location';
import type { DatabaseTables } from './database-tables';
import { MIGRATIONS } from './migrations';
import { PGliteDialect } from './pglite-dialect';

/** The api's database, migrated to the latest version. */
export type AppDatabase = Kysely<DatabaseTables>;

/** How many connections to PostgreSQL one instance holds at most. */
const DEFAULT_MAX_CONNECTIONS = 10;

/**
 * Opens the database and applies the migrations it lacks (idempotent: Kysely's migrator takes
 * a lock, so instances that boot together apply each migration once). Throws with the reason
 * when it cannot be reached or a migration fails; then nothing stays open.
 */
export async function openDatabase(location: DatabaseLocation): Promise<AppDatabase> {
  const db = new Kysely<DatabaseTables>({
    dialect:
      'url' in location
        ? new PostgresDialect({ pool: serverPool(location) })
        : new PGliteDialect(embeddedDir(location.dir)),
  });
  try {
    const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
    const { error } = await migrator.migrateToLatest();
    if (error) throw error;
    return db;
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw error;
  }
}

function serverPool(location: { url: string; maxConnections?: number }): Pool {
  const pool = new Pool({
    connectionString: location.url,
    max: location.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
  });
  // An idle connection the server closed (a restart, a failover) is dropped and made again on
  // the next query; unheard, the pool's 'error' event would end the process.
  pool.on('error', () => undefined);
  return pool;
}

function embeddedDir(dir: string): string {
  if (dir.startsWith('memory://')) return dir;
  mkdirSync(dir, { recursive: true });
  return dir;
}
