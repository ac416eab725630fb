import type { Logger } from '@nestjs/common';
import type { Database } from './database';
import type { AppDatabase } from './open-database';

/**
 * Runs `use` with the open database. A database that cannot be opened or that fails to answer
 * becomes `unavailable()` (a route's `503`), logged on `logger`; any other error (a refusal the
 * caller threw, a bug) goes on as it is.
 */
export async function useDatabase<T>(
  database: Database,
  use: (db: AppDatabase) => Promise<T>,
  unavailable: () => Error,
  logger: Logger,
): Promise<T> {
  let db: AppDatabase;
  try {
    db = await database.open();
  } catch {
    throw unavailable();
  }
  try {
    return await use(db);
  } catch (error) {
    if (!isUnreachable(error)) throw error;
    logger.warn({ err: error }, 'the database failed to answer');
    throw unavailable();
  }
}

/**
 * Whether `error` says the database is out of reach (rather than that a query is wrong): a socket
 * error, or PostgreSQL's classes 08 (connection exception), 53 (insufficient resources) and 57P
 * (the server shutting down or restarting).
 */
function isUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return /connection|terminated|timeout/i.test(error.message);
  return (
    /^(08|53|57P)/.test(code) || /^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|HOSTUNREACH)$/.test(code)
  );
}
