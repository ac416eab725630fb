import { ApiPaths } from '@tokenstream/stream-contracts';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { waitUntil } from './wait-until';

const WORKSPACE_ROOT = resolve(__dirname, '../../../..');

/** The built api, as `npm run build` leaves it and as it is deployed. */
export const API_MAIN = resolve(WORKSPACE_ROOT, 'dist/apps/api/main.js');

/** The built web app the api serves from its own port. */
export const WEB_INDEX = resolve(WORKSPACE_ROOT, 'dist/apps/web/browser/index.html');

const OUTPUT_KEPT_CHARS = 8_000;
const STOP_GRACE_MS = 5_000;

/** A running api process serving the web app. */
export interface BuiltApi {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The tail of what the process wrote to stdout and stderr. */
  output(): string;
  /** Ends the process (SIGTERM, then SIGKILL if it lingers). */
  stop(): Promise<void>;
}

/** A port nothing listens on right now: bind port 0, read what the OS chose, let it go. */
export async function freePort(): Promise<number> {
  return new Promise<number>((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? done(port) : fail(new Error('no port was assigned'))));
    });
  });
}

/**
 * Starts `node dist/apps/api/main.js` on a free port with only `env` configured (no OPENAI_*
 * variable leaks in from the shell, so the demo model answers) and resolves once
 * `GET /api/health` answers 200.
 */
export async function startBuiltApi(
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<BuiltApi> {
  for (const [file, target] of [
    [API_MAIN, 'api'],
    [WEB_INDEX, 'web'],
  ]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run "npx nx build ${target}"`);
  }
  const port = await freePort();
  const child = spawn(process.execPath, [API_MAIN], {
    cwd: WORKSPACE_ROOT,
    env: { PATH: process.env['PATH'] ?? '', PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT_CHARS);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;

  const stop = async (): Promise<void> => {
    if (!running()) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(
      async () => {
        if (!running()) throw new Error(`the api exited before it was ready:\n${output}`);
        try {
          const response = await fetch(url + ApiPaths.health, {
            signal: AbortSignal.timeout(2_000),
          });
          return response.ok;
        } catch {
          return false; // not listening yet
        }
      },
      { what: `GET ${url}${ApiPaths.health} to answer 200`, timeoutMs, seen: () => output },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, output: () => output, stop };
}
