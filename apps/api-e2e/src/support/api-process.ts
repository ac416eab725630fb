import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** The built api, as `npm run build` leaves it and as it is deployed. */
export const API_MAIN = resolve(__dirname, '../../../../dist/apps/api/main.js');

/** One structured log line of the api. */
export type LogLine = Record<string, unknown> & { msg?: string };

/** How a process ended: its exit code, or the signal that ended it. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A real api process on an ephemeral port. */
export interface ApiProcess {
  url: string;
  logs: LogLine[];
  /** What the process wrote to stderr (e.g. a configuration error). */
  stderr(): string;
  /** Sends `signal` and resolves with how the process ended once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<ProcessExit>;
  exited: Promise<ProcessExit>;
  child: ChildProcess;
}

/** Runs the api with only `env` configured: nothing leaks in from the developer's shell. */
export function spawnApi(env: Record<string, string>): {
  child: ChildProcess;
  exited: Promise<ProcessExit>;
} {
  if (!existsSync(API_MAIN))
    throw new Error(`${API_MAIN} is missing: run "npx nx build api" first`);
  const child = spawn(process.execPath, [API_MAIN], {
    env: {
      PATH: process.env['PATH'] ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      WEB_DIST_DIR: '/nonexistent',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<ProcessExit>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  return { child, exited };
}

/** Starts the api and resolves once it listens, with the URL it printed. */
export async function startApi(
  env: Record<string, string> = {},
  timeoutMs = 20_000,
): Promise<ApiProcess> {
  const { child, exited } = spawnApi(env);
  const logs: LogLine[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`api did not start in ${timeoutMs} ms: ${stderr}`)),
      timeoutMs,
    );
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`api exited (${code ?? signal}) before listening: ${stderr}`));
    });
    createInterface({ input: child.stdout! }).on('line', (text) => {
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
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
