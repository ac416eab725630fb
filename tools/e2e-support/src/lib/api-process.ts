import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { exitOf, type ProcessExit } from './process-exit';
import { stopChild } from './stop-child';

const WORKSPACE_ROOT = resolve(__dirname, '../../../..');

/** The built api, as `npm run build` leaves it and as it is deployed. */
export const API_MAIN = resolve(WORKSPACE_ROOT, 'dist/apps/api/main.js');

/** The built web app, where the api looks for it by default (beside its own `dist` folder). */
export const WEB_INDEX = resolve(WORKSPACE_ROOT, 'dist/apps/web/browser/index.html');

/** A directory with no web app in it, so an api under test serves the api alone. */
const NO_WEB_APP_DIR = '/nonexistent';

/** How long the api may take to listen before the start fails. */
const START_TIMEOUT_MS = 20_000;

/**
 * How long a stopped api may take to exit before it is killed: longer than its default drain
 * time (`STREAM_DRAIN_MS`, 10 s), so a stop never cuts short a drain a test is watching.
 */
const STOP_GRACE_MS = 15_000;

/** One structured log line of the api. */
export type LogLine = Record<string, unknown> & { msg?: string };

/** How to run the api beyond its environment. */
export interface ApiOptions {
  /**
   * Serve the built web app on the api's own port, as deployed (fails at once if it was not
   * built). Off: `WEB_DIST_DIR` points nowhere and the api serves no web app, unless `env` sets one.
   */
  webApp?: boolean;
}

/** A spawned api process, before anything is known of whether it will listen. */
export interface SpawnedApi {
  /** No stdin; stdout (JSON log lines) and stderr are pipes to read. */
  child: ChildProcessByStdio<null, Readable, Readable>;
  exited: Promise<ProcessExit>;
}

/** A real api process on an ephemeral port of 127.0.0.1 (unless `env` says otherwise). */
export interface ApiProcess extends SpawnedApi {
  /** Where it listens, as it printed it: `http://127.0.0.1:<port>`. */
  url: string;
  /** Every JSON line it wrote to stdout, in order, kept as it runs. */
  logs: LogLine[];
  /** What the process wrote to stderr (e.g. a configuration error). */
  stderr(): string;
  /**
   * Sends `signal` (SIGTERM unless told), then SIGKILL if it has not exited within the grace
   * time, and resolves with how the process ended.
   */
  stop(signal?: NodeJS.Signals): Promise<ProcessExit>;
}

/**
 * Runs the built api with only `env` configured on top of `PORT=0` and `HOST=127.0.0.1`: nothing
 * leaks in from the developer's shell (no `OPENAI_*` variable, so the demo model answers).
 */
export function spawnApi(env: Record<string, string> = {}, options: ApiOptions = {}): SpawnedApi {
  const required: [string, string][] = [[API_MAIN, 'api']];
  if (options.webApp) required.push([WEB_INDEX, 'web']);
  for (const [file, project] of required) {
    if (!existsSync(file))
      throw new Error(`${file} is missing: run "npx nx build ${project}" first`);
  }
  // Each api its own embedded database (in a folder removed when it exits), unless the test names
  // one: the default (data/db in the workspace) would share history between tests and runs.
  const ownDatabaseDir =
    env['DATABASE_DIR'] || env['DATABASE_URL']
      ? undefined
      : mkdtempSync(join(tmpdir(), 'tokenstream-api-db-'));
  const child = spawn(process.execPath, [API_MAIN], {
    cwd: WORKSPACE_ROOT,
    env: {
      PATH: process.env['PATH'] ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      // With the web app, WEB_DIST_DIR stays unset: the api finds the build by itself, as deployed.
      ...(options.webApp ? {} : { WEB_DIST_DIR: NO_WEB_APP_DIR }),
      ...(ownDatabaseDir ? { DATABASE_DIR: ownDatabaseDir } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = exitOf(child);
  if (ownDatabaseDir) {
    void exited.then(() => rmSync(ownDatabaseDir, { recursive: true, force: true }));
  }
  return { child, exited };
}

/**
 * Starts the api and resolves once it listens, with the URL it printed; fails with its stderr if
 * it exits first or does not listen within `timeoutMs` (then it is killed).
 */
export async function startApi(
  env: Record<string, string> = {},
  options: ApiOptions & { timeoutMs?: number } = {},
): Promise<ApiProcess> {
  const { timeoutMs = START_TIMEOUT_MS } = options;
  const { child, exited } = spawnApi(env, options);
  const logs: LogLine[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`api did not start in ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`api exited (${code ?? signal}) before listening: ${stderr}`));
    });
    // The api logs one JSON object a line; the one with `url` comes once it listens.
    createInterface({ input: child.stdout }).on('line', (text) => {
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        return;
      }
      logs.push(line);
      if (typeof line['url'] === 'string') {
        clearTimeout(timer);
        resolveUrl(line['url']);
      }
    });
  });
  return {
    url,
    logs,
    child,
    exited,
    stderr: () => stderr,
    stop: (signal = 'SIGTERM') => stopChild(child, exited, { signal, graceMs: STOP_GRACE_MS }),
  };
}

/** Runs `use` with an api started with `env`, and stops the api however `use` ends. */
export async function withApi<T>(
  env: Record<string, string>,
  use: (api: ApiProcess) => Promise<T>,
): Promise<T> {
  const api = await startApi(env);
  try {
    return await use(api);
  } finally {
    await api.stop();
  }
}
