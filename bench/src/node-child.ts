import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = resolve(__dirname, '../..');

/** How long a child may take to print its URL before the start fails. */
const START_TIMEOUT_MS = 30_000;

/**
 * Starts a node program from the workspace root with only `env` (and PATH), and resolves once it
 * prints the URL it listens on: a JSON log line with `url` (the api), or "listening on <url>"
 * (the mock and the passthrough).
 */
export async function startNodeChild(
  args: string[],
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${args.join(' ')} did not start`));
    }, START_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      fail(new Error(`${args.join(' ')} exited (${code ?? signal}) before listening`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const url = /"url":"([^"]+)"|listening on (\S+)/.exec(line);
      if (url) {
        clearTimeout(timer);
        done(url[1] ?? url[2]);
      }
    });
  });
  return { url, child };
}
