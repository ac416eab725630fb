/** Where the conversations are kept. */
export type DatabaseLocation =
  /** A PostgreSQL server (`DATABASE_URL`), shared by every instance. */
  | { url: string; maxConnections?: number }
  /** The embedded PostgreSQL (PGlite) in a folder, or in memory (`memory://`), for one instance. */
  | { dir: string };
