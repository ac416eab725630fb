import { WORKSPACE_VERSION } from '@tokenstream/e2e-support';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../../..');
/** Debian's podman, or `PODMAN_BIN` (as tools/system-deps reads it). */
export const PODMAN_BIN = process.env['PODMAN_BIN'] || '/usr/bin/podman';
/** runc and no ulimits: what podman needs on these machines, without touching /etc. */
const CONTAINERS_CONF = resolve(__dirname, '../../podman/containers.conf');
/** The proxy's CA bundle on machines whose package traffic is intercepted (as this one). */
const HOST_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** Debian's own mirror, as the machine's apt sources name it. */
const DEBIAN_MIRROR = 'http://deb.debian.org/debian';

/** The base the image file names: made here from Debian's packages when no registry answers. */
export const BASE_IMAGE = 'docker.io/library/debian:trixie-slim';
/** What `npm run image` tags: the name the compose file and the chart pull. */
export const PRODUCT_IMAGE_NAME = 'localhost/tokenstream';
/** A label holding the hash of what an image was built from, so a test run builds it once. */
const INPUTS_LABEL = 'dev.tokenstream.e2e.inputs';

/** What a bounded command printed, or why it failed. */
export interface CommandResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

/**
 * Runs `command` with `args`, bounded by `timeoutMs` (then SIGKILL), and resolves with what it
 * printed; rejects naming the command and its stderr when it fails, unless `allowFailure`.
 */
export function run(
  command: string,
  args: readonly string[],
  options: {
    timeoutMs?: number;
    allowFailure?: boolean;
    env?: Record<string, string>;
    input?: string;
  } = {},
): Promise<CommandResult> {
  const { timeoutMs = 60_000, allowFailure = false } = options;
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, CONTAINERS_CONF, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end(options.input ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const result = { stdout, stderr, code };
      if (code === 0 || allowFailure) return done(result);
      const why = signal === 'SIGKILL' ? `killed after ${timeoutMs} ms` : `exit ${code}`;
      fail(new Error(`${command} ${args.join(' ')}: ${why}\n${stderr.slice(-4000)}`));
    });
  });
}

/** `podman …` with the project's containers.conf. */
export function podman(
  args: readonly string[],
  options: Parameters<typeof run>[2] = {},
): Promise<CommandResult> {
  return run(PODMAN_BIN, args, options);
}

/**
 * Makes sure `debian:trixie-slim` exists locally: pulled where a registry answers, else made as
 * deploy/container/README.md says, from Debian's packages (`debootstrap --variant=minbase`, about
 * 25 s, as root, then `podman import`), as on the machines CI runs on.
 */
export async function ensureBaseImage(): Promise<void> {
  if ((await podman(['image', 'exists', BASE_IMAGE], { allowFailure: true })).code === 0) return;
  const pulled = await podman(['pull', '-q', BASE_IMAGE], {
    allowFailure: true,
    timeoutMs: 120_000,
  });
  if (pulled.code === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `${BASE_IMAGE} cannot be pulled (${pulled.stderr.trim()}) nor made without root ` +
        '(debootstrap): see deploy/container/README.md, "Without a registry"',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'tokenstream-debian-'));
  try {
    await run('/usr/sbin/debootstrap', ['--variant=minbase', 'trixie', dir, DEBIAN_MIRROR], {
      timeoutMs: 300_000,
    });
    // `tar -C dir -c . | podman import - name`, through a file instead of a shell's pipe.
    await run('/usr/bin/tar', ['-C', dir, '-cf', `${dir}.tar`, '.'], { timeoutMs: 120_000 });
    await podman(['import', `${dir}.tar`, BASE_IMAGE], { timeoutMs: 120_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}.tar`, { force: true });
  }
}

/**
 * Builds the product image with `npm run image`'s own script (deploy/container/build-image.cjs),
 * over the dist/ bundle the e2e target builds first, unless an image built from the very same
 * inputs exists already. Resolves with its reference, `localhost/tokenstream:<version>`.
 */
export async function ensureProductImage(): Promise<string> {
  await ensureBaseImage();
  const image = `${PRODUCT_IMAGE_NAME}:${WORKSPACE_VERSION}`;
  const inputs = inputsHash();
  const existing = await podman(
    ['image', 'inspect', '--format', `{{index .Labels "${INPUTS_LABEL}"}}`, image],
    { allowFailure: true },
  );
  if (existing.code === 0 && existing.stdout.trim() === inputs) return image;
  await run(
    process.execPath,
    ['deploy/container/build-image.cjs', '--label', `${INPUTS_LABEL}=${inputs}`],
    {
      timeoutMs: 600_000,
      env: {
        CONTAINER_ENGINE: 'podman',
        IMAGE_NAME: PRODUCT_IMAGE_NAME,
        ...(existsSync(HOST_CA_BUNDLE) ? { CA_BUNDLE: HOST_CA_BUNDLE } : {}),
      },
    },
  );
  return image;
}

/**
 * A hash of everything the image is built from: the image file, its ignore file, the bundle, and
 * the commit, which the image carries as its revision label (so a new commit is a new image).
 */
function inputsHash(): string {
  const hash = createHash('sha256');
  hash.update(execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT }).toString().trim());
  const files = [
    'deploy/container/Containerfile',
    '.dockerignore',
    'package.json',
    'dist/apps/api/main.js',
    'dist/apps/api/package.json',
    'dist/apps/api/package-lock.json',
    ...filesUnder('dist/apps/web/browser'),
  ];
  for (const file of files) {
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(join(ROOT, file)))
      .update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir))
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(join(ROOT, path)).isDirectory() ? filesUnder(path) : [path];
    });
}

/** A container of the product image, run by a test; removed with {@link Container.remove}. */
export interface Container {
  name: string;
  /**
   * `podman stop -t <graceS>`: the image's STOPSIGNAL (SIGTERM), then SIGKILL after `graceS`.
   * Resolves with the exit code and how long the stop took.
   */
  stop(graceS: number): Promise<{ exitCode: number; elapsedMs: number }>;
  /** Starts the stopped container again, with its volumes. */
  start(): Promise<void>;
  /** Removes it, running or not, with the anonymous volume its image declares (/data). */
  remove(): Promise<void>;
  /** What it wrote to stdout and stderr. */
  logs(): Promise<string>;
}

let containers = 0;

/**
 * Runs `image` detached on the host's network (so it reaches the test's servers on 127.0.0.1,
 * and they it), as the user and with the settings the image declares, plus `options`.
 */
export async function runContainer(
  image: string,
  options: { env?: Record<string, string>; args?: readonly string[] } = {},
): Promise<Container> {
  containers += 1;
  const name = `tokenstream-e2e-${process.pid}-${containers}`;
  const env = Object.entries(options.env ?? {}).flatMap(([key, value]) => [
    '-e',
    `${key}=${value}`,
  ]);
  await podman([
    'run',
    '-d',
    '--name',
    name,
    '--network',
    'host',
    ...env,
    ...(options.args ?? []),
    image,
  ]);
  return {
    name,
    stop: async (graceS) => {
      const started = Date.now();
      await podman(['stop', '-t', String(graceS), name], { timeoutMs: (graceS + 30) * 1000 });
      const elapsedMs = Date.now() - started;
      const code = await podman(['inspect', '--format', '{{.State.ExitCode}}', name]);
      return { exitCode: Number(code.stdout.trim()), elapsedMs };
    },
    start: async () => {
      await podman(['start', name]);
    },
    remove: async () => {
      await podman(['rm', '-f', '-v', '-t', '0', name], { allowFailure: true });
    },
    logs: async () => {
      const logs = await podman(['logs', name], { allowFailure: true });
      return logs.stdout + logs.stderr;
    },
  };
}

/** Resolves once `url` answers `status` (200 unless told); fails after `timeoutMs`. */
export async function waitForStatus(url: string, timeoutMs: number, status = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === status) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (${last})`);
}
