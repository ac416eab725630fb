import { PGlite } from '@electric-sql/pglite';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';

/**
 * Kysely over PGlite, the embedded PostgreSQL: PostgreSQL's compiler, adapter and introspector,
 * with a driver for the one PGlite instance. Kysely 0.28 ships none (the last line that is not
 * ESM-only, see STACK.md), and this is all such a dialect needs.
 */
export class PGliteDialect implements Dialect {
  /** `dataDir`: the folder the database lives in, or `memory://` for one that lives in memory. */
  constructor(private readonly dataDir: string) {}

  createDriver(): Driver {
    return new PGliteDriver(this.dataDir);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  createAdapter() {
    return new PostgresAdapter();
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
}

/**
 * PGlite on `dataDir`. A folder that holds no database yet is made (initdb) by an instance of its
 * own, closed before the one kept is opened: making it grows PGlite's WebAssembly memory to about
 * 600 MiB, which a WebAssembly memory never gives back, while an instance opened on a database
 * that exists holds about 200 MiB (bench/README.md, "Memory per replica"). A database in memory
 * would not outlive its instance: it is kept as made.
 */
async function openPGlite(dataDir: string): Promise<PGlite> {
  const made = dataDir.startsWith('memory://') || existsSync(join(dataDir, 'PG_VERSION'));
  if (!made) await (await PGlite.create(dataDir)).close();
  return PGlite.create(dataDir);
}

/**
 * PGlite is one connection: a transaction must hold it alone, so a query waits for the one before
 * it to release it (a query outside a transaction takes it for itself only).
 */
class PGliteDriver implements Driver {
  private pglite: PGlite | undefined;
  private connection: PGliteConnection | undefined;
  private released: Promise<void> = Promise.resolve();

  constructor(private readonly dataDir: string) {}

  async init(): Promise<void> {
    this.pglite = await openPGlite(this.dataDir);
    this.connection = new PGliteConnection(this.pglite);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.released;
    let release!: () => void;
    this.released = new Promise((done) => (release = done));
    await previous;
    const connection = this.connection as PGliteConnection;
    connection.release = release;
    return connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as PGliteConnection).release();
  }

  async destroy(): Promise<void> {
    await this.released;
    await this.pglite?.close();
  }
}

class PGliteConnection implements DatabaseConnection {
  release: () => void = () => undefined;

  constructor(private readonly pglite: PGlite) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.pglite.query<R>(query.sql, [...query.parameters]);
    return {
      rows: result.rows,
      ...(result.affectedRows === undefined
        ? {}
        : { numAffectedRows: BigInt(result.affectedRows) }),
    };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('PGliteDialect does not stream query results');
  }
}
