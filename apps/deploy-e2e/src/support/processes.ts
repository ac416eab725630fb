import { exitOf, freePort, stopChild } from '@tokenstream/e2e-support';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../../..');
/** The nginx config under test: the very file deploy/README.md tells operators to install. */
export const NGINX_TEMPLATE = join(ROOT, 'deploy/nginx/tokenstream.conf.template');
/** The compose stack's site without SSO (deploy/compose/nginx), rendered the same way. */
export const COMPOSE_NGINX_TEMPLATE = join(ROOT, 'deploy/compose/nginx/default.conf.template');
/** Debian's nginx, or `NGINX_BIN` when set (empty counts as unset, as in tools/system-deps). */
export const NGINX_BIN = process.env['NGINX_BIN'] || '/usr/sbin/nginx';

/** A server a test started and must stop, bounded. */
export interface Stoppable {
  stop(): Promise<unknown>;
}

/**
 * The http block's `proxy_read_timeout`, in seconds: nginx's default is 60 s, shortened here so a
 * test can see in a few seconds that a location which must outlast it sets its own.
 */
export const SITE_READ_TIMEOUT_S = 2;

/** How long nginx may take to exit on SIGTERM before it is killed. */
const NGINX_STOP_GRACE_MS = 3_000;

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
 * Where nginx sends requests: one api instance, or several (round robin), and the auth proxy
 * (none for a site that asks none, as the compose stack's open one).
 */
export interface NginxUpstreams {
  api: string | readonly string[];
  auth?: string;
  /** The site's template: the kit's unless told. */
  template?: string;
}

/**
 * The rendered site, with one `server` line per api instance, as deploy/README.md tells operators
 * to list several: nginx's default round robin, no stickiness.
 */
function renderSite(upstreams: NginxUpstreams, port: number): string {
  const [first, ...more] = typeof upstreams.api === 'string' ? [upstreams.api] : upstreams.api;
  const site = renderTemplate(readFileSync(upstreams.template ?? NGINX_TEMPLATE, 'utf8'), {
    LISTEN: `127.0.0.1:${port}`,
    API_UPSTREAM: first,
    ...(upstreams.auth ? { AUTH_UPSTREAM: upstreams.auth } : {}),
  });
  const line = `  server ${first};\n`;
  if (!site.includes(line)) throw new Error('the template has no api server line');
  return site.replace(line, [first, ...more].map((api) => `  server ${api};\n`).join(''));
}

/**
 * A real nginx in the foreground, in a temp directory of its own, running
 * deploy/nginx/tokenstream.conf.template rendered for `api` and `auth`. Resolves once it answers.
 */
export async function startNginx(
  upstreams: NginxUpstreams,
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
  upstreams: NginxUpstreams,
  port: number,
  timeoutMs: number,
): Promise<NginxProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'tokenstream-nginx-'));
  for (const sub of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub));
  const errorLogPath = join(dir, 'error.log');
  writeFileSync(join(dir, 'tokenstream.conf'), renderSite(upstreams, port));
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
      `  proxy_read_timeout ${SITE_READ_TIMEOUT_S}s;`,
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
  const stopNginx = () => stopChild(child, exited, { graceMs: NGINX_STOP_GRACE_MS });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const errorLog = () => (existsSync(errorLogPath) ? readFileSync(errorLogPath, 'utf8') : '');
  const url = `http://127.0.0.1:${port}`;
  let exitedWith: string | undefined;
  void exited.then(({ code, signal }) => (exitedWith = String(code ?? signal)));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exitedWith !== undefined) {
      throw new Error(`nginx exited (${exitedWith}): ${stderr}\n${errorLog()}`);
    }
    try {
      const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.status === 200) return { url, errorLog, stop: stopNginx };
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  await stopNginx();
  throw new Error(`nginx did not answer in ${timeoutMs} ms: ${stderr}\n${errorLog()}`);
}
