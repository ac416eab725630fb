import { freePort, readStream } from '@tokenstream/e2e-support';
import { ApiPaths } from '@tokenstream/stream-contracts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ensureProductImage, podman, waitForStatus } from './support/containers';
import { renderChart, type K8sObject } from './support/helm';

// The chart's Deployment (and the claim of its embedded database), rendered by helm with its
// default values, run by `podman kube play`: the pod Kubernetes would run, with its user, its
// read-only root filesystem, its dropped capabilities and its volumes, answering a chat.
jest.setTimeout(120_000);

/** The release: its objects are named after it, the claim's volume among them. */
const RELEASE = `kubeplay-${process.pid}`;
const START_TIMEOUT_MS = 60_000;

interface Container {
  name: string;
  env: { name: string; value?: string }[];
  ports?: unknown;
  [probe: string]: unknown;
}

/**
 * The one change the pod needs to run here: on the host's network (so the test reaches it on
 * 127.0.0.1, as its servers are), with its ports moved to free ones and not published (podman
 * refuses port mappings on the host network). Everything else is as helm rendered it.
 */
function onHostNetwork(deployment: K8sObject, port: number, metricsPort: number): K8sObject {
  const pod = (deployment.spec as { template: { spec: Record<string, unknown> } }).template.spec;
  pod['hostNetwork'] = true;
  const [api] = pod['containers'] as Container[];
  delete api.ports;
  const moved: Record<string, string> = {
    PORT: String(port),
    METRICS_PORT: String(metricsPort),
    METRICS_HOST: '127.0.0.1',
  };
  api.env = api.env.map((variable) =>
    variable.name in moved ? { name: variable.name, value: moved[variable.name] } : variable,
  );
  for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
    (api[probe] as { httpGet: { port: number | string } }).httpGet.port = port;
  }
  return deployment;
}

let dir: string;
let manifest: string;
let podOnly: string;
let port: number;
let metricsPort: number;
let claim: string;

beforeAll(async () => {
  await ensureProductImage();
  [port, metricsPort] = [await freePort(), await freePort()];
  const objects = await renderChart({ env: { DEMO_TOKEN_DELAY_MS: '2' } }, RELEASE);
  const deployment = objects.find(({ kind }) => kind === 'Deployment');
  const pvc = objects.find(({ kind }) => kind === 'PersistentVolumeClaim');
  if (!deployment || !pvc) throw new Error('the chart rendered no Deployment or no claim');
  claim = pvc.metadata.name;
  dir = mkdtempSync(join(tmpdir(), 'tokenstream-kube-play-'));
  manifest = join(dir, 'chart.yaml');
  const pod = stringify(onHostNetwork(deployment, port, metricsPort));
  writeFileSync(manifest, `${stringify(pvc)}---\n${pod}`);
  // Played again later without the claim, which outlives its pods (podman refuses to make it twice).
  podOnly = join(dir, 'deployment.yaml');
  writeFileSync(podOnly, pod);
  await podman(['kube', 'play', '--network', 'host', manifest], { timeoutMs: 120_000 });
  await waitForStatus(`http://127.0.0.1:${port}${ApiPaths.healthReady}`, START_TIMEOUT_MS);
}, 900_000);

afterAll(async () => {
  if (manifest) await podman(['kube', 'down', manifest], { allowFailure: true });
  if (claim) await podman(['volume', 'rm', '-f', claim], { allowFailure: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('streams a reply, serves the chat, keeps a conversation and serves its metrics', async () => {
  const url = `http://127.0.0.1:${port}`;
  const response = await fetch(`${url}${ApiPaths.chatStream}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }], conversation: {} }),
  });
  const transcript = await readStream(response);
  expect(transcript.frames.at(-1)?.frame).toMatchObject({ type: 'finish', finishReason: 'stop' });
  expect(transcript.text()).toContain('demo model');
  const page = await fetch(`${url}/`, { headers: { accept: 'text/html' } });
  expect(await page.text()).toContain('<title>tokenstream</title>');
  const listed = (await (await fetch(`${url}/api/conversations`)).json()) as {
    conversations: unknown[];
  };
  expect(listed.conversations).toHaveLength(1);
  const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  expect(await metrics.text()).toContain('tokenstream_streams_started_total');
});

it('runs as the chart says: non-root, read-only root filesystem, no capabilities', async () => {
  const pods = await podman([
    'ps',
    '--filter',
    `label=app.kubernetes.io/instance=${RELEASE}`,
    '--format',
    '{{.Names}}',
  ]);
  const [name] = pods.stdout
    .trim()
    .split('\n')
    .filter((line) => line.endsWith('-api'));
  expect(name).toBeDefined();
  const status = await podman([
    'exec',
    name,
    'sh',
    '-c',
    'id -u; grep CapEff /proc/1/status; touch /written || true',
  ]);
  const [uid, caps] = status.stdout.trim().split('\n');
  expect(uid).toBe('10001');
  expect(caps).toMatch(/^CapEff:\s+0+$/);
  expect(status.stderr).toMatch(/read-only file system/i);
});

it('finds the conversation again in a new pod on the same claim', async () => {
  await podman(['kube', 'down', manifest]);
  await podman(['kube', 'play', '--network', 'host', podOnly], { timeoutMs: 120_000 });
  const url = `http://127.0.0.1:${port}`;
  await waitForStatus(`${url}${ApiPaths.healthReady}`, START_TIMEOUT_MS);
  const listed = (await (await fetch(`${url}/api/conversations`)).json()) as {
    conversations: { title: string }[];
  };
  expect(listed.conversations).toEqual([expect.objectContaining({ title: 'Hi' })]);
});
