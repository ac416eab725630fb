import type { DatabaseLocation } from '../shared/database-location';
import { redactedUrl } from '../shared/redacted-url';
import { authConfigFrom } from './auth-config';
import { modelRoutesFrom, providerOf } from './model-routes-from-settings';
import { list } from './setting-types';
import { type Settings, settingsSchema } from './settings';

/** A configuration the api refuses to start with; its message holds one line per problem. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/**
 * Settings that were replaced, with what replaced them. Set, they stop the api: an upgrade must not
 * quietly change which headers a proxy's identity is read from.
 */
const REPLACED_SETTINGS: Readonly<Record<string, string>> = {
  PROXY_USER_HEADERS: 'PROXY_USER_HEADER',
  PROXY_EMAIL_HEADERS: 'PROXY_EMAIL_HEADER',
  PROXY_GROUPS_HEADERS: 'PROXY_GROUPS_HEADER',
};

/** Settings that hold URLs, shown without their credentials when refused (`redactedUrl`). */
const URL_SETTINGS = new Set([
  'OPENAI_BASE_URL',
  'REDIS_URL',
  'DATABASE_URL',
  'OIDC_ISSUER',
  'OIDC_JWKS_URL',
]);

/**
 * The api's configuration, in one slice per concern (each injectable on its own, see
 * `config-slices.ts`), derived from the settings: what each value means is said once, in `settings.ts`.
 */
export type AppConfig = ReturnType<typeof appConfigFrom>;

function appConfigFrom(settings: Settings, env: Env, problems: string[], webDistDir?: string) {
  // In this order, so the problems read as they always have: models, sizes, identity, origins.
  const routes = modelRoutesFrom(settings, env, problems);
  if (settings.STREAM_STORE_MAX_BYTES < settings.STREAM_MAX_BYTES) {
    problems.push(
      `STREAM_STORE_MAX_BYTES=${settings.STREAM_STORE_MAX_BYTES}: must be at least STREAM_MAX_BYTES (${settings.STREAM_MAX_BYTES}), as each running stream counts at STREAM_MAX_BYTES`,
    );
  }
  const auth = authConfigFrom(settings, problems);
  const corsOrigins = corsOriginsFrom(settings, problems);
  return {
    server: {
      port: settings.PORT,
      host: settings.HOST,
      listenBacklog: settings.LISTEN_BACKLOG,
      production: settings.NODE_ENV === 'production',
      logLevel: settings.LOG_LEVEL,
      webDistDir: settings.WEB_DIST_DIR ?? webDistDir,
      corsOrigins,
    },
    metrics: { port: settings.METRICS_PORT, host: settings.METRICS_HOST },
    redis: { url: settings.REDIS_URL, commandTimeoutMs: settings.REDIS_COMMAND_TIMEOUT_MS },
    database: {
      location: databaseLocationFrom(settings),
      retentionDays: settings.CONVERSATION_RETENTION_DAYS,
      usageRetentionDays: settings.USAGE_RETENTION_DAYS,
    },
    models: {
      ...routes,
      provider: providerOf(routes),
      /** Where the models file was read from, when one was. */
      file: settings.MODELS_FILE,
      demoTokenDelayMs: settings.DEMO_TOKEN_DELAY_MS,
    },
    streams: {
      heartbeatMs: settings.STREAM_HEARTBEAT_MS,
      resumeGraceMs: settings.STREAM_RESUME_GRACE_MS,
      retentionMs: settings.STREAM_RETENTION_MS,
      maxStreamBytes: settings.STREAM_MAX_BYTES,
      maxStoreBytes: settings.STREAM_STORE_MAX_BYTES,
      stallTimeoutMs: settings.STREAM_STALL_TIMEOUT_MS,
      maxReaders: {
        perStream: settings.STREAM_MAX_READERS_PER_STREAM,
        perCaller: settings.STREAM_MAX_READERS_PER_CALLER,
      },
      drainMs: settings.STREAM_DRAIN_MS,
      leaseMs: settings.STREAM_LEASE_MS,
      /** The longest a stream may be read: its longest generation, then its retention. */
      readableForMs: settings.UPSTREAM_TOTAL_TIMEOUT_MS + settings.STREAM_RETENTION_MS,
    },
    upstream: {
      firstTokenTimeoutMs: settings.UPSTREAM_FIRST_TOKEN_TIMEOUT_MS,
      idleTimeoutMs: settings.UPSTREAM_IDLE_TIMEOUT_MS,
      totalTimeoutMs: settings.UPSTREAM_TOTAL_TIMEOUT_MS,
      maxRetries: settings.UPSTREAM_MAX_RETRIES,
      retryBaseDelayMs: settings.UPSTREAM_RETRY_BASE_MS,
      retryMaxDelayMs: settings.UPSTREAM_RETRY_MAX_DELAY_MS,
    },
    auth,
    limits: {
      concurrentStreams: settings.LIMIT_CONCURRENT_STREAMS,
      requestsPerMinute: settings.LIMIT_REQUESTS_PER_MINUTE,
      tokensPerDay: settings.LIMIT_TOKENS_PER_DAY,
    },
  };
}

/** A PostgreSQL server when `DATABASE_URL` names one, else the embedded one in its folder. */
function databaseLocationFrom(settings: Settings): DatabaseLocation {
  return settings.DATABASE_URL ? { url: settings.DATABASE_URL } : { dir: settings.DATABASE_DIR };
}

function corsOriginsFrom(settings: Settings, problems: string[]): string[] {
  const origins = list(settings.CORS_ORIGINS);
  const bad = origins.filter((origin) => !/^https?:\/\/[^/\s*]+$/.test(origin));
  if (bad.length > 0) {
    problems.push(
      `CORS_ORIGINS=${JSON.stringify(settings.CORS_ORIGINS)}: expected origins like https://app.example.com (no path, no wildcard), not ${bad.join(', ')}`,
    );
  }
  return origins;
}

/**
 * Reads and checks the configuration. Empty variables count as unset, so `FOO=` in a `.env` file
 * behaves like no `FOO` at all. Throws {@link ConfigError} naming each bad variable and its value.
 */
export function loadAppConfig(env: Env, defaults: { webDistDir?: string } = {}): AppConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const replaced = Object.entries(REPLACED_SETTINGS)
    .filter(([name]) => present[name] !== undefined)
    .map(
      ([name, single]) =>
        `${name} is no longer read: the identity comes from one header family, PROXY_HEADERS=x-auth-request|x-forwarded (or ${single}, one custom name)`,
    );
  const parsed = settingsSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError([
      ...replaced,
      ...parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        const value = present[name];
        const shown = value !== undefined && URL_SETTINGS.has(name) ? redactedUrl(value) : value;
        return `${name}=${JSON.stringify(shown)}: ${issue.message}`;
      }),
    ]);
  }
  const settings = parsed.data;
  const problems: string[] = [...replaced];
  const config = appConfigFrom(settings, present, problems, defaults.webDistDir);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
