import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = resolve(__dirname, '../../../..');
/** The built api, as `npm run build` leaves it and as it is deployed. */
export const API_MAIN = join(ROOT, 'dist/apps/api/main.js');
/** The nginx config under test: the very file deploy/README.md tells operators to install. */
export const NGINX_TEMPLATE = join(ROOT, 'deploy/nginx/tokenstream.conf.template');
export const NGINX_BIN = process.env['NGINX_BIN'] ?? '/usr/sbin/nginx';

/** A child process that can be stopped, bounded: SIGTERM, then SIGKILL if it lingers. */
export interface Stoppable {
  stop(): Promise<void>;
}

function stopChild(child: ChildProcess, exited: Promise<unknown>, graceMs = 3_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  return exited.then(() => clearTimeout(timer));
}

function exitOf(child: ChildProcess): Promise<string> {
  return new Promise((done) => child.once('exit', (code, signal) => done(String(code ?? signal))));
}

export interface ApiProcess extends Stoppable {
  url: string;
  logs: Record<string, unknown>[];
}

/** Runs the built api with only `env` (nothing from the shell) on 127.0.0.1 and an ephemeral port. */
export async function startApi(
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<ApiProcess> {
  if (!existsSync(API_MAIN))
    throw new Error(`${API_MAIN} is missing: run "npx nx build api" first`);
  const child = spawn(process.execPath, [API_MAIN], {
    env: { PATH: process.env['PATH'] ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = exitOf(child);
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`api did not start in ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`api exited (${how}) before listening: ${stderr}`));
    });
    createInterface({ input: child.stdout! }).on('line', (text) => {
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
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
  return { url, logs, stop: () => stopChild(child, exited) };
}

/** Who the stand-in auth service recognises, by the value of their `session` cookie. */
export interface TestUser {
  user: string;
  email: string;
  /** Comma-separated, as oauth2-proxy sends them; none: no groups header at all. */
  groups?: string;
}

export interface AuthService extends Stoppable {
  /** `host:port`, for nginx's upstream. */
  address: string;
  /** Every request it received: path and headers, and how many body bytes came with it. */
  requests: { url: string; headers: IncomingHttpHeaders; bodyBytes: number }[];
}

/**
 * A stand-in for oauth2-proxy in auth_request mode: `GET /oauth2/auth` answers 202 with
 * `X-Auth-Request-User` / `-Email` / `-Groups` for a known `session` cookie, else 401.
 */
export async function startAuthService(users: Record<string, TestUser>): Promise<AuthService> {
  const requests: AuthService['requests'] = [];
  const server = createHttpServer((request, response) => {
    let bodyBytes = 0;
    request.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
    request.on('end', () => {
      requests.push({ url: request.url ?? '', headers: request.headers, bodyBytes });
      if (request.url !== '/oauth2/auth') {
        response.writeHead(404).end();
        return;
      }
      const session = /(?:^|;\s*)session=([^;]*)/.exec(request.headers.cookie ?? '')?.[1];
      const known = session !== undefined ? users[session] : undefined;
      if (!known) {
        response.writeHead(401, { 'content-type': 'text/plain' }).end('unauthorized');
        return;
      }
      response.writeHead(202, {
        'x-auth-request-user': known.user,
        'x-auth-request-email': known.email,
        ...(known.groups !== undefined ? { 'x-auth-request-groups': known.groups } : {}),
      });
      response.end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** A port that was free a moment ago (nginx must be told its port; it cannot report one). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** The deploy template with its placeholders filled in: plain string replacement, as documented. */
export function renderTemplate(template: string, values: Record<string, string>): string {
  let text = template;
  for (const [name, value] of Object.entries(values)) text = text.split(`\${${name}}`).join(value);
  const left = /\$\{[A-Z_]+\}/.exec(text);
  if (left) throw new Error(`placeholder ${left[0]} left unrendered`);
  return text;
}

export interface NginxProcess extends Stoppable {
  url: string;
  /** nginx's error log so far, for failure messages. */
  errorLog(): string;
}

/**
 * A real nginx in the foreground, in a temp directory of its own, running
 * deploy/nginx/tokenstream.conf.template rendered for `api` and `auth`. Resolves once it answers.
 */
export async function startNginx(
  upstreams: { api: string; auth: string },
  timeoutMs = 10_000,
): Promise<NginxProcess> {
  if (!existsSync(NGINX_BIN)) throw new Error(`${NGINX_BIN} is missing: apt-get install nginx`);
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      return await tryStartNginx(upstreams, await freePort(), timeoutMs);
    } catch (error) {
      lastError = error; // most likely the port was taken in between: try another
    }
  }
  throw lastError;
}

async function tryStartNginx(
  upstreams: { api: string; auth: string },
  port: number,
  timeoutMs: number,
): Promise<NginxProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'tokenstream-nginx-'));
  for (const sub of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub));
  const errorLogPath = join(dir, 'error.log');
  writeFileSync(
    join(dir, 'tokenstream.conf'),
    renderTemplate(readFileSync(NGINX_TEMPLATE, 'utf8'), {
      LISTEN: `127.0.0.1:${port}`,
      API_UPSTREAM: upstreams.api,
      AUTH_UPSTREAM: upstreams.auth,
    }),
  );
  writeFileSync(
    join(dir, 'nginx.conf'),
    [
      'daemon off;',
      'master_process off;',
      'worker_processes 1;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${errorLogPath} info;`,
      'events { worker_connections 256; }',
      'http {',
      `  access_log ${join(dir, 'access.log')};`,
      `  client_body_temp_path ${join(dir, 'client_body')};`,
      `  proxy_temp_path ${join(dir, 'proxy')};`,
      `  fastcgi_temp_path ${join(dir, 'fastcgi')};`,
      `  uwsgi_temp_path ${join(dir, 'uwsgi')};`,
      `  scgi_temp_path ${join(dir, 'scgi')};`,
      '  default_type application/octet-stream;',
      // As many sites have it: compress everything compressible. The stream routes must opt out.
      '  gzip on;',
      '  gzip_min_length 1;',
      '  gzip_types text/event-stream application/json text/plain;',
      `  include ${join(dir, 'tokenstream.conf')};`,
      '}',
      '',
    ].join('\n'),
  );
  const child = spawn(
    NGINX_BIN,
    ['-e', errorLogPath, '-p', `${dir}/`, '-c', join(dir, 'nginx.conf')],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const exited = exitOf(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const errorLog = () => (existsSync(errorLogPath) ? readFileSync(errorLogPath, 'utf8') : '');
  const url = `http://127.0.0.1:${port}`;
  let exitedWith: string | undefined;
  void exited.then((how) => (exitedWith = how));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exitedWith !== undefined) {
      throw new Error(`nginx exited (${exitedWith}): ${stderr}\n${errorLog()}`);
    }
    try {
      const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.status === 200) return { url, errorLog, stop: () => stopChild(child, exited) };
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  await stopChild(child, exited);
  throw new Error(`nginx did not answer in ${timeoutMs} ms: ${stderr}\n${errorLog()}`);
}
