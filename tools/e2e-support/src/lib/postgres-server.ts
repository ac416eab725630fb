import { execFileSync, spawn, type SpawnOptions } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './free-port';
import { exitOf } from './process-exit';
import { stopChild } from './stop-child';

/**
 * Debian's `postgresql` package puts its programs in a folder per major version;
 * `POSTGRES_BIN` (the `postgres` program, `initdb` beside it) overrides the newest one.
 */
const DEBIAN_POSTGRESQL = '/usr/lib/postgresql';

/** How long the server may take to accept a query before the start fails. */
const START_TIMEOUT_MS = 30_000;

/** How long a stopped server may take to exit (a fast shutdown) before it is killed. */
const STOP_GRACE_MS = 10_000;

/** Ports tried before giving up: {@link freePort}'s port may be taken before the server binds it. */
const PORT_ATTEMPTS = 3;

/** A throwaway PostgreSQL server on 127.0.0.1, for the tests of what the api keeps in it. */
export interface PostgresServer {
  /** `postgres://tokenstream@127.0.0.1:<port>/postgres`, as `DATABASE_URL` takes it. */
  url: string;
  /** A URL to a new, empty database on this server (each test file or suite its own). */
  createDatabase(): Promise<string>;
  /**
   * Stops the server as an outage would (its clients' connections break, new ones are refused),
   * keeping its data and port for {@link resume}; resolves once it has exited.
   */
  halt(): Promise<void>;
  /** Starts a halted server again on the same port, with its data; resolves once it answers. */
  resume(): Promise<void>;
  /** Stops the server (SIGINT, then SIGKILL after 10 s), halted or not, and removes its data. */
  stop(): Promise<void>;
}

/**
 * Starts Debian's PostgreSQL (`initdb`, then `postgres`) in a new folder under the system's temp
 * folder, on a free port of 127.0.0.1, with nothing synced to disk (a test's data is thrown away);
 * resolves once it answers a query. PostgreSQL refuses to run as root: as root, it runs as the
 * `postgres` user the package made.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const override = process.env['POSTGRES_BIN'];
  const binDir = override ? dirname(override) : newestDebianBin();
  if (!binDir || !existsSync(join(binDir, 'postgres'))) {
    throw new Error(
      `${DEBIAN_POSTGRESQL}/*/bin/postgres is missing: install Debian's postgresql or set POSTGRES_BIN`,
    );
  }
  const user = serverUser();
  const dataDir = mkdtempSync(join(tmpdir(), 'tokenstream-pg-'));
  if (user) chownSync(dataDir, user.uid, user.gid);
  const options: SpawnOptions = { cwd: dataDir, ...(user ?? {}) };
  execFileSync(
    join(binDir, 'initdb'),
    ['-D', dataDir, '-U', 'tokenstream', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C'],
    { ...options, stdio: 'pipe' },
  );
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    try {
      const start = () => launch(binDir, dataDir, port, options);
      return serverOn(port, dataDir, await start(), start);
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt === PORT_ATTEMPTS) {
        rmSync(dataDir, { recursive: true, force: true });
        throw error;
      }
    }
  }
}

/** The server on `port` with its data in `dataDir`, running as `first`; `start` runs it again. */
function serverOn(
  port: number,
  dataDir: string,
  first: RunningPostgres,
  start: () => Promise<RunningPostgres>,
): PostgresServer {
  let current: RunningPostgres | undefined = first;
  const url = `postgres://tokenstream@127.0.0.1:${port}/postgres`;
  let databases = 0;
  return {
    url,
    createDatabase: async () => {
      databases += 1;
      const name = `test_${process.pid}_${databases}`;
      await query(url, `create database ${name}`);
      return `postgres://tokenstream@127.0.0.1:${port}/${name}`;
    },
    halt: async () => {
      await current?.stop();
      current = undefined;
    },
    resume: async () => {
      if (current) throw new Error('postgres is running: halt() it before resume()');
      current = await start();
    },
    stop: async () => {
      await current?.stop();
      current = undefined;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** One `postgres` process, once it answers a query. */
interface RunningPostgres {
  /** PostgreSQL's "fast" shutdown (SIGINT: it does not wait for clients to leave), then SIGKILL. */
  stop(): Promise<void>;
}

class PortTakenError extends Error {}

async function launch(
  binDir: string,
  dataDir: string,
  port: number,
  options: SpawnOptions,
): Promise<RunningPostgres> {
  const child = spawn(
    join(binDir, 'postgres'),
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-k',
      dataDir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ],
    { ...options, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = exitOf(child);
  let output = '';
  const keep = (chunk: Buffer) => (output += chunk.toString());
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let ended = false;
  void exited.then(() => (ended = true));

  const url = `postgres://tokenstream@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await answersQuery(url))) {
    if (ended) {
      if (/address already in use/i.test(output)) throw new PortTakenError(output);
      throw new Error(`postgres exited before accepting connections: ${output}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`postgres did not accept connections in ${START_TIMEOUT_MS} ms: ${output}`);
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  return {
    stop: async () => {
      await stopChild(child, exited, { signal: 'SIGINT', graceMs: STOP_GRACE_MS });
    },
  };
}

async function query(url: string, text: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function answersQuery(url: string): Promise<boolean> {
  try {
    await query(url, 'select 1');
    return true;
  } catch {
    return false;
  }
}

/** The `postgres` user's ids when this process is root (which PostgreSQL refuses to run as). */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** The newest major version's programs (`/usr/lib/postgresql/16/bin` before `15/bin`). */
function newestDebianBin(): string | undefined {
  const versions = existsSync(DEBIAN_POSTGRESQL) ? readdirSync(DEBIAN_POSTGRESQL) : [];
  const newest = versions
    .filter((name) => /^\d+(\.\d+)?$/.test(name))
    .sort((a, b) => Number(b) - Number(a))[0];
  return newest && join(DEBIAN_POSTGRESQL, newest, 'bin');
}
