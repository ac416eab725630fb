import { WORKSPACE_VERSION } from '@tokenstream/e2e-support';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  CHART_DIR,
  lintChart,
  renderChart,
  renderChartFailure,
  schemaProblems,
  type K8sObject,
} from './support/helm';

// deploy/helm/tokenstream rendered by a real helm (3.17) under the value sets its README
// documents, every object checked against the Kubernetes API's schemas.
jest.setTimeout(60_000);

const SHARED_STORES = {
  redis: { url: 'redis://redis.data.svc:6379' },
  database: { url: 'postgres://tokenstream:secret@postgres.data.svc:5432/tokenstream' },
};

/** The value sets of the chart's README, by name. */
const VALUE_SETS: Record<string, object> = {
  defaults: {},
  'three replicas on Redis and PostgreSQL': { replicaCount: 3, ...SHARED_STORES },
  'the stores from Secrets of yours': {
    replicaCount: 2,
    redis: { existingSecret: 'tokenstream-stores', existingSecretKey: 'redis-url' },
    database: { existingSecret: 'tokenstream-stores', existingSecretKey: 'database-url' },
    existingSecret: 'tokenstream-keys',
  },
  'an ingress with SSO': {
    replicaCount: 2,
    ...SHARED_STORES,
    auth: { mode: 'oidc,apikey', oidc: { issuer: 'https://login.example.com', audience: 'chat' } },
    ingress: {
      enabled: true,
      host: 'chat.example.com',
      tls: [{ secretName: 'chat-tls', hosts: ['chat.example.com'] }],
      sso: {
        enabled: true,
        authUrl: 'http://oauth2-proxy.auth.svc.cluster.local/oauth2/auth',
        signInUrl: 'https://$host/oauth2/start?rd=$escaped_request_uri',
      },
    },
  },
  autoscaling: {
    ...SHARED_STORES,
    autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 6 },
    metrics: { serviceMonitor: { enabled: true, labels: { release: 'prometheus' } } },
  },
  'a models file and API keys': {
    auth: { mode: 'apikey', apiKeys: { existingSecret: 'tokenstream-api-keys' } },
    existingSecret: 'tokenstream-upstreams',
    modelsFile: {
      defaultModel: 'gpt-4o',
      models: {
        'gpt-4o': { deployments: [{ kind: 'openai', apiKeyEnv: 'OPENAI_API_KEY' }] },
      },
    },
    env: { LOG_LEVEL: 'debug', LIMIT_CONCURRENT_STREAMS: 4 },
  },
};

function only(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((object) => object.kind === kind);
}

function deploymentOf(objects: K8sObject[]) {
  const [deployment] = only(objects, 'Deployment');
  const spec = deployment.spec as {
    replicas?: number;
    strategy: { type: string; rollingUpdate?: { maxUnavailable: number; maxSurge: number } };
    template: { spec: PodSpec };
  };
  return { deployment, spec, pod: spec.template.spec, api: spec.template.spec.containers[0] };
}

interface PodSpec {
  terminationGracePeriodSeconds: number;
  securityContext: Record<string, unknown>;
  volumes: { name: string; persistentVolumeClaim?: unknown; emptyDir?: unknown }[];
  containers: {
    image: string;
    env: { name: string; value?: string; valueFrom?: unknown }[];
    envFrom?: unknown[];
    securityContext: Record<string, unknown>;
    resources: { requests: Record<string, string>; limits: Record<string, string> };
    lifecycle: { preStop: { exec: { command: string[] } } };
    startupProbe: { httpGet: { path: string } };
    readinessProbe: { httpGet: { path: string } };
    livenessProbe: { httpGet: { path: string } };
  }[];
}

function envOf(container: PodSpec['containers'][number]): Record<string, unknown> {
  return Object.fromEntries(
    container.env.map(({ name, value, valueFrom }) => [name, value ?? valueFrom]),
  );
}

describe.each(Object.entries(VALUE_SETS))('the chart with %s', (_name, values) => {
  let objects: K8sObject[];
  beforeAll(async () => {
    objects = await renderChart(values);
  });

  it('lints clean in strict mode', async () => {
    const lint = await lintChart(values);
    expect(lint.stdout + lint.stderr).toContain('0 chart(s) failed');
    expect(lint.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
  });

  it('renders only objects the Kubernetes API accepts', async () => {
    expect(objects.length).toBeGreaterThan(2);
    expect(await schemaProblems(objects)).toEqual(objects.map(() => null));
  });

  it('runs the api as the image does, hardened, probed, and drained before it is killed', () => {
    const { pod, api } = deploymentOf(objects);
    expect(api.image).toBe(`tokenstream:${WORKSPACE_VERSION}`);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    expect(api.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(api.startupProbe.httpGet.path).toBe('/api/health/live');
    expect(api.livenessProbe.httpGet.path).toBe('/api/health/live');
    expect(api.readinessProbe.httpGet.path).toBe('/api/health/ready');
    // The kubelet waits for the pause, the drain and the api's own 5 s before it kills.
    const env = envOf(api);
    const drainS = Number(env['STREAM_DRAIN_MS']) / 1000;
    const preStopS = Number(api.lifecycle.preStop.exec.command[1]);
    expect(preStopS).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStopS + drainS + 5);
    expect(api.resources.requests).toMatchObject({
      cpu: expect.any(String),
      memory: expect.any(String),
    });
    expect(api.resources.limits).toMatchObject({ memory: expect.any(String) });
    // Writable: the data volume and /tmp, nothing else.
    expect(pod.volumes.map(({ name }) => name)).toEqual(expect.arrayContaining(['data', 'tmp']));
  });
});

describe('several replicas', () => {
  it('are updated one new pod at a time, none down, with a disruption budget', async () => {
    const objects = await renderChart(VALUE_SETS['three replicas on Redis and PostgreSQL']);
    const { spec, api } = deploymentOf(objects);
    expect(spec.replicas).toBe(3);
    expect(spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
    expect(only(objects, 'PodDisruptionBudget')).toHaveLength(1);
    // The URLs given as values reach the api from a Secret, never written in the pod spec.
    const env = envOf(api);
    expect(env['REDIS_URL']).toEqual({
      secretKeyRef: { name: 'chat-tokenstream-connections', key: 'redis-url' },
    });
    expect(env['DATABASE_URL']).toEqual({
      secretKeyRef: { name: 'chat-tokenstream-connections', key: 'database-url' },
    });
    expect(JSON.stringify(deploymentOf(objects).deployment)).not.toContain('secret@');
    expect(only(objects, 'PersistentVolumeClaim')).toHaveLength(0);
  });

  it.each([
    ['two replicas and no stores', { replicaCount: 2 }, /redis\.url .* and database\.url/],
    [
      'two replicas and Redis only',
      { replicaCount: 2, redis: SHARED_STORES.redis },
      /set database\.url \(or database\.existingSecret\)\./,
    ],
    [
      'an autoscaler and no stores',
      { autoscaling: { enabled: true } },
      /autoscaling\.enabled=true/,
    ],
  ])('are refused with %s, naming what is missing', async (_name, values, message) => {
    const refused = await renderChartFailure(values);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/more than one replica .* needs a shared Redis and PostgreSQL/);
    expect(refused.stderr).toMatch(message);
  });
});

describe('one replica on the embedded database', () => {
  it('keeps it on a claim that outlives the release, and stops the old pod before the new one starts', async () => {
    const objects = await renderChart();
    const { spec, pod } = deploymentOf(objects);
    expect(spec.strategy).toEqual({ type: 'Recreate' });
    const [claim] = only(objects, 'PersistentVolumeClaim');
    expect(claim.metadata.annotations).toMatchObject({ 'helm.sh/resource-policy': 'keep' });
    expect(pod.volumes.find(({ name }) => name === 'data')).toEqual({
      name: 'data',
      persistentVolumeClaim: { claimName: claim.metadata.name },
    });
    expect(only(objects, 'PodDisruptionBudget')).toHaveLength(0);
  });
});

describe('the ingress', () => {
  it('streams unbuffered with hour-long timeouts, and checks every request with oauth2-proxy', async () => {
    const objects = await renderChart(VALUE_SETS['an ingress with SSO']);
    const ingresses = only(objects, 'Ingress');
    expect(ingresses.map(({ metadata }) => metadata.name)).toEqual([
      'chat-tokenstream',
      'chat-tokenstream-api',
    ]);
    for (const { metadata } of ingresses) {
      expect(metadata.annotations).toMatchObject({
        'nginx.ingress.kubernetes.io/proxy-buffering': 'off',
        'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
        'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
        'nginx.ingress.kubernetes.io/auth-url':
          'http://oauth2-proxy.auth.svc.cluster.local/oauth2/auth',
      });
    }
    // A browser's page is sent to sign in; the api's paths answer 401 to scripts and services.
    const [web, api] = ingresses;
    expect(web.metadata.annotations?.['nginx.ingress.kubernetes.io/auth-signin']).toContain(
      '/oauth2/start',
    );
    expect(api.metadata.annotations).not.toHaveProperty('nginx.ingress.kubernetes.io/auth-signin');
    expect(JSON.stringify(api.spec)).toContain('"/v1"');
  });
});

describe('the autoscaler', () => {
  it('scales the Deployment on CPU, and the ServiceMonitor scrapes every replica', async () => {
    const objects = await renderChart(VALUE_SETS['autoscaling']);
    const { spec } = deploymentOf(objects);
    expect(spec.replicas).toBeUndefined();
    const [hpa] = only(objects, 'HorizontalPodAutoscaler');
    expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 6 });
    const [monitor] = only(objects, 'ServiceMonitor');
    expect(monitor.spec).toMatchObject({ endpoints: [{ port: 'metrics', path: '/metrics' }] });
    expect(monitor.metadata.labels).toMatchObject({ release: 'prometheus' });
  });
});

describe('the values', () => {
  it.each([
    ['a replica count in words', { replicaCount: 'two' }, /replicaCount/],
    ['an unknown auth mode', { auth: { mode: 'sometimes' } }, /auth\.mode/],
    ['a misspelt value', { replicas: 2 }, /replicas/],
    ['a Redis URL that is not one', { redis: { url: 'localhost:6379' } }, /redis\.url/],
  ])('refuse %s through values.schema.json', async (_name, values, path) => {
    const refused = await renderChartFailure(values);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(path);
  });

  it('document every value in values.yaml, and the chart carries the api version', () => {
    const chart = parse(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as {
      appVersion: string;
    };
    expect(chart.appVersion).toBe(WORKSPACE_VERSION);
    const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8')) as {
      properties: Record<string, unknown>;
    };
    const values = parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as object;
    expect(Object.keys(values).sort()).toEqual(Object.keys(schema.properties).sort());
  });
});
