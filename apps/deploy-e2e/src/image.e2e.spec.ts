import { freePort, readStream, WORKSPACE_VERSION } from '@tokenstream/e2e-support';
import { ApiPaths, STREAM_ID_HEADER } from '@tokenstream/stream-contracts';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BASE_IMAGE,
  ensureProductImage,
  podman,
  runContainer,
  waitForStatus,
  type Container,
} from './support/containers';

// The image deploy/container/Containerfile makes, built by `npm run image`'s own script over the
// built api and web app, run by a real podman: what it holds, and how it runs.
jest.setTimeout(120_000);

const ROOT = join(__dirname, '../../..');
/** The bound: what the image may add to debian:trixie-slim. */
const MAX_ADDED_BYTES = 220 * 1000 * 1000;
/** How long the api may take to answer once its container runs (no database to migrate). */
const START_TIMEOUT_MS = 30_000;

let image: string;
beforeAll(async () => {
  image = await ensureProductImage();
}, 900_000);

const hi = { messages: [{ role: 'user', content: 'Hi' }] };

function post(url: string, body: object): Promise<Response> {
  return fetch(`${url}${ApiPaths.chatStream}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

interface ImageConfig {
  User: string;
  Labels: Record<string, string>;
  StopSignal: string;
  Volumes: Record<string, object>;
  Entrypoint: string[];
  Cmd: string[];
}

describe('the image', () => {
  let config: ImageConfig;
  /** The HEALTHCHECK: kept by the docker format only, and podman shows it beside the config. */
  let healthcheck: { Test: string[] } | undefined;
  beforeAll(async () => {
    const [inspected] = JSON.parse((await podman(['image', 'inspect', image])).stdout) as {
      Config: ImageConfig;
      Healthcheck?: { Test: string[] };
    }[];
    config = inspected.Config;
    healthcheck = inspected.Healthcheck;
  });

  it('is labelled with the version and the commit it was built from', () => {
    const revision = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT }).toString().trim();
    expect(config.Labels).toMatchObject({
      'org.opencontainers.image.version': WORKSPACE_VERSION,
      'org.opencontainers.image.revision': revision,
      'org.opencontainers.image.licenses': 'MIT',
      'org.opencontainers.image.title': 'tokenstream',
    });
  });

  it('runs as a numeric non-root user under tini, with a health check, SIGTERM and a volume', () => {
    expect(config.User).toBe('10001:10001');
    expect(config.Entrypoint).toEqual(['/usr/bin/tini', '--']);
    expect(config.Cmd).toEqual(['node', '/app/api/main.js']);
    expect(healthcheck?.Test.join(' ')).toContain('/api/health/live');
    expect(config.StopSignal).toMatch(/^(SIGTERM|15)$/);
    expect(Object.keys(config.Volumes)).toEqual(['/data']);
  });

  it(`adds at most ${MAX_ADDED_BYTES / 1e6} MB to ${BASE_IMAGE}`, async () => {
    const size = async (name: string) =>
      Number((await podman(['image', 'inspect', '--format', '{{.Size}}', name])).stdout.trim());
    const added = (await size(image)) - (await size(BASE_IMAGE));
    console.log(`the image adds ${(added / 1e6).toFixed(1)} MB to ${BASE_IMAGE}`);
    expect(added).toBeGreaterThan(0);
    expect(added).toBeLessThanOrEqual(MAX_ADDED_BYTES);
  });

  it('holds the production bundle and its dependencies only: no source, npm, dev tools or cache', async () => {
    const look = await podman([
      'run',
      '--rm',
      '--network',
      'none',
      '--entrypoint',
      '/bin/sh',
      image,
      '-c',
      [
        'echo "npm: $(command -v npm || echo none)"',
        'echo "app: $(ls /app | tr "\\n" " ")"',
        'echo "sources: $(find /app -name "*.ts" -o -name "*.map" | head -3 | tr "\\n" " ")"',
        'echo "caches: $(ls -d /root/.npm /home/*/.npm /tmp/npm-cache 2>/dev/null | tr "\\n" " ")"',
        // Every package at the top of node_modules, a scope's as `@scope/name`.
        'cd /app/node_modules && for d in * @*/*; do case "$d" in @*/*|[!@]*) echo "$d";; esac; done',
      ].join('; '),
    ]);
    const [npm, app, sources, caches, ...modules] = look.stdout.trim().split('\n');
    expect(npm).toBe('npm: none');
    expect(app.trim()).toBe('app: api node_modules web');
    expect(sources).toBe('sources: ');
    expect(caches).toBe('caches: ');
    // Every package there is one the api's pruned lock file names, and no build tool is.
    const lock = JSON.parse(
      readFileSync(join(ROOT, 'dist/apps/api/package-lock.json'), 'utf8'),
    ) as { packages: Record<string, unknown> };
    const locked = new Set(
      Object.keys(lock.packages).map((path) => path.replace(/^node_modules\//, '')),
    );
    expect(modules.length).toBeGreaterThan(50);
    expect(modules.filter((name) => !locked.has(name))).toEqual([]);
    for (const tool of ['typescript', 'nx', 'jest', 'webpack', '@angular/core', '@nx/js']) {
      expect(modules).not.toContain(tool);
    }
  });
});

describe('a container of it, on a read-only root filesystem', () => {
  let port: number;
  let volume: string;
  let container: Container;

  beforeAll(async () => {
    port = await freePort();
    volume = `tokenstream-e2e-data-${process.pid}`;
    await podman(['volume', 'create', volume]);
    container = await runContainer(image, {
      env: { PORT: String(port), AUTH_MODE: 'none', DEMO_TOKEN_DELAY_MS: '2' },
      args: ['--read-only', '--tmpfs', '/tmp', '-v', `${volume}:/data`],
    });
    await waitForStatus(`http://127.0.0.1:${port}${ApiPaths.healthReady}`, START_TIMEOUT_MS);
  });
  afterAll(async () => {
    await container?.remove();
    if (volume) await podman(['volume', 'rm', '-f', volume], { allowFailure: true });
  });

  const url = () => `http://127.0.0.1:${port}`;

  it('streams a reply and serves the web app, as its own user, and says it is healthy', async () => {
    const transcript = await readStream(await post(url(), hi));
    expect(transcript.frames.at(-1)?.frame).toMatchObject({ type: 'finish', finishReason: 'stop' });
    expect(transcript.text()).toContain('demo model');
    const page = await fetch(`${url()}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>tokenstream</title>');
    expect((await fetch(`${url()}${ApiPaths.healthLive}`)).status).toBe(200);
    // The image's own HEALTHCHECK, as a container engine runs it.
    expect(
      (await podman(['healthcheck', 'run', container.name], { allowFailure: true })).code,
    ).toBe(0);
    expect((await podman(['exec', container.name, 'id', '-u'])).stdout.trim()).toBe('10001');
    // Nothing but the volume and /tmp takes a write.
    const write = await podman(['exec', container.name, 'touch', '/app/written'], {
      allowFailure: true,
    });
    expect(write.code).not.toBe(0);
    expect(write.stderr).toMatch(/read-only file system/i);
  });

  it('keeps a conversation in its volume across a restart', async () => {
    const started = await post(url(), { ...hi, conversation: {} });
    const streamId = started.headers.get(STREAM_ID_HEADER);
    const reply = await readStream(started);
    expect(reply.frames.at(-1)?.frame).toMatchObject({ type: 'finish' });
    const before = await (await fetch(`${url()}/api/conversations`)).json();
    expect(before.conversations).toHaveLength(1);

    const stopped = await container.stop(30);
    expect(stopped.exitCode).toBe(143);
    await container.start();
    await waitForStatus(`${url()}${ApiPaths.healthReady}`, START_TIMEOUT_MS);

    const after = await (await fetch(`${url()}/api/conversations`)).json();
    expect(after.conversations).toEqual(before.conversations);
    const kept = await (
      await fetch(`${url()}/api/conversations/${before.conversations[0].id}`)
    ).json();
    expect(kept.messages.map((message: { role: string }) => message.role)).toEqual([
      'user',
      'assistant',
    ]);
    expect(kept.messages[1]).toMatchObject({ status: 'complete', streamId, content: reply.text() });
  });
});

describe('SIGTERM', () => {
  it('lets a reply in flight finish, then the container exits within the drain', async () => {
    const port = await freePort();
    const drainMs = 10_000;
    // The demo reply takes about 3 s at 25 ms a token.
    const container = await runContainer(image, {
      env: {
        PORT: String(port),
        AUTH_MODE: 'none',
        DEMO_TOKEN_DELAY_MS: '25',
        STREAM_DRAIN_MS: String(drainMs),
        DATABASE_DIR: 'memory://',
      },
      args: ['--read-only', '--tmpfs', '/tmp'],
    });
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitForStatus(`${url}${ApiPaths.healthReady}`, START_TIMEOUT_MS);
      const started = await post(url, hi);
      const firstFrames = readStream(started.clone(), { until: (t) => t.frames.length >= 5 });
      const reading = readStream(started, { timeoutMs: 20_000 });
      await firstFrames;
      const stopped = container.stop(drainMs / 1000 + 20);
      const transcript = await reading;
      expect(transcript.frames.at(-1)?.frame).toMatchObject({
        type: 'finish',
        finishReason: 'stop',
      });
      expect(transcript.text()).toContain('demo model');
      const { exitCode, elapsedMs } = await stopped;
      // Ended by the signal it was sent (128 + 15), not killed, and within the drain.
      expect(exitCode).toBe(143);
      expect(elapsedMs).toBeLessThan(drainMs + 5_000);
      expect(await container.logs()).toMatch(/"msg":"draining"/);
    } finally {
      await container.remove();
    }
  });
});
