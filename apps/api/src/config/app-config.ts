import { isIP } from 'node:net';
import { z } from 'zod';
import { redactedUrl } from '../shared/redacted-url';
import type { PrincipalLimits } from '../shared/principal-limits';
import { DEFAULT_REDIS_COMMAND_TIMEOUT_MS } from '../redis/redis-command-timeout';
import type { DatabaseLocation } from '../shared/database-location';
import type { Deployment, ModelRoutes } from './model-routes';
import { DEFAULT_COOLDOWN_SECONDS, readModelsFile } from './models-file';

/** Which model provider answers chat requests. */
export type ChatProviderName = 'demo' | 'openai';

/** The api's configuration, read from the environment once at boot. */
export interface AppConfig extends ModelRoutes {
  port: number;
  host: string | undefined;
  /** Where Prometheus metrics are served (`GET /metrics`); none when undefined. */
  metricsPort: number | undefined;
  /** The address the metrics listener binds: loopback unless told, so it is never public by accident. */
  metricsHost: string;
  /** The Redis the instances share their limits through; each counts alone when undefined. */
  redisUrl: string | undefined;
  /** How long a stream's admission waits for Redis before the limits fail open. */
  redisCommandTimeoutMs: number;
  /** Where conversations are kept: a PostgreSQL server, or the embedded one in a folder. */
  database: DatabaseLocation;
  /** Conversations not updated for this many days are deleted; `0`: kept until deleted. */
  conversationRetentionDays: number;
  /** `demo` when every deployment is the demo model (the web app labels it), `openai` otherwise. */
  provider: ChatProviderName;
  /** Where the models file was read from, when one was. */
  modelsFile: string | undefined;
  heartbeatMs: number;
  demoTokenDelayMs: number;
  streams: {
    /** How long a generation outlives its last reader before it is cancelled (0: at once). */
    resumeGraceMs: number;
    /** How long a finished stream stays readable. */
    retentionMs: number;
    /** The most one stream's frames may take (bytes of JSON); past it the reply is ended. */
    maxStreamBytes: number;
    /**
     * The most all streams' frames may take. Each running stream counts at `maxStreamBytes`; the
     * oldest finished streams nobody reads are evicted to make room; with none left, new ones wait.
     */
    maxStoreBytes: number;
    /** How long a reader's socket may accept nothing before its connection is closed. */
    stallTimeoutMs: number;
    /** Readers (connections delivering a stream) at once, per stream and per caller; `0`: no bound. */
    maxReaders: { perStream: number; perCaller: number };
    /** On SIGTERM, how long generations in flight may take to finish before they are ended. */
    drainMs: number;
    /**
     * With a shared store (`REDIS_URL`): how long an instance's hold on the replies it generates
     * lasts without a heartbeat; a reply whose instance died ends with `generation_lost` after it.
     */
    leaseMs: number;
  };
  upstream: {
    /** Longest wait for the first token (including retries before it). */
    firstTokenTimeoutMs: number;
    /** Longest silence between two chunks once the reply has started. */
    idleTimeoutMs: number;
    /** Longest a whole reply may take. */
    totalTimeoutMs: number;
    /** Retries of a failed upstream request before any text was produced. */
    maxRetries: number;
    /** The first retry's delay; each further one doubles it (with jitter), up to `retryMaxDelayMs`. */
    retryBaseDelayMs: number;
    retryMaxDelayMs: number;
  };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Folder of the built web app served at `/`; absent in development (the web dev server serves it). */
  webDistDir: string | undefined;
  production: boolean;
  auth: AuthConfig;
  /** Origins (scheme://host[:port]) whose pages may call the api from a browser, with credentials. */
  corsOrigins: string[];
  /** Each principal's limits unless its API key sets its own; `0`: no limit. */
  limits: PrincipalLimits;
}

/** Who may call the api, and how they prove it. */
export interface AuthConfig {
  /** The accepted methods; a request passes if any of them accepts it. */
  modes: ('none' | 'oidc' | 'proxy' | 'apikey')[];
  oidc?: {
    issuer: string;
    jwksUrl?: string;
    audience: string[];
    algorithms?: string[];
    clockToleranceSeconds: number;
    claims: { subject: string; email: string; name: string; groups: string };
  };
  proxy?: {
    trustedCidrs: string[];
    /** The one header each field is read from (lower case): one family, e.g. `x-auth-request-*`. */
    userHeader: string;
    emailHeader: string;
    groupsHeader: string;
  };
  apiKeysFile?: string;
  /** Where the web app sends a user whose session expired; `{returnTo}` is the page to come back to. */
  signInUrl?: string;
}

/** A configuration the api refuses to start with; its message holds one line per problem. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

const DEFAULT_OPENAI_MODEL = 'gpt-4o-mini';

/** How long a failed deployment is left alone when it did not say (see `DEFAULT_COOLDOWN_SECONDS`). */
const DEFAULT_COOLDOWN_MS = DEFAULT_COOLDOWN_SECONDS * 1000;
const DEFAULT_DEMO_MODEL = 'demo';

/** The identity headers' family unless told: what oauth2-proxy's `--set-xauthrequest` sets. */
const DEFAULT_PROXY_HEADERS = 'x-auth-request';

/** An HTTP header name (RFC 9110 `token`): one name, so a comma-separated list is refused. */
const headerName = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { error: 'expected one header name' })
  .transform((name) => name.toLowerCase());

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

/** Where the embedded database keeps its files unless `DATABASE_DIR` says otherwise. */
export const DEFAULT_DATABASE_DIR = 'data/db';

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: `expected a whole number from ${min} to ${max}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `expected at least ${min}` })
        .max(max, { error: `expected at most ${max}` }),
    );

const envSchema = z.object({
  PORT: wholeNumber(0, 65_535).default(3000),
  METRICS_PORT: wholeNumber(0, 65_535).optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'expected a redis:// or rediss:// URL' })
    .optional(),
  REDIS_COMMAND_TIMEOUT_MS: wholeNumber(1, 60_000).default(DEFAULT_REDIS_COMMAND_TIMEOUT_MS),
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'expected a postgres:// or postgresql:// URL' })
    .optional(),
  DATABASE_DIR: z.string().min(1).default(DEFAULT_DATABASE_DIR),
  CONVERSATION_RETENTION_DAYS: wholeNumber(0, 36_500).default(0),
  HOST: z.string().min(1).optional(),
  CHAT_PROVIDER: z.enum(['demo', 'openai'], { error: 'expected "demo" or "openai"' }).optional(),
  OPENAI_API_KEY: z.string().min(1, { error: 'expected a key, or leave it unset' }).optional(),
  OPENAI_BASE_URL: z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL', abort: true })
    // Neither can work: fetch refuses URLs with credentials, and the SDK appends its paths after
    // the query (`/v1?key=…/chat/completions`). Refused, they cannot end up in an error or a log.
    .refine((url) => !new URL(url).username && !new URL(url).password && !url.includes('?'), {
      error: 'expected no user, password or query in the URL; the key belongs in OPENAI_API_KEY',
    })
    .optional(),
  CHAT_MODEL: z.string().min(1).max(200).optional(),
  CHAT_MODELS: z.string().optional(),
  MODELS_FILE: z.string().min(1).optional(),
  EMBEDDING_MODELS: z.string().optional(),
  STREAM_HEARTBEAT_MS: wholeNumber(10, 600_000).default(15_000),
  DEMO_TOKEN_DELAY_MS: wholeNumber(0, 10_000).default(30),
  STREAM_RESUME_GRACE_MS: wholeNumber(0, 3_600_000).default(10_000),
  STREAM_RETENTION_MS: wholeNumber(0, 86_400_000).default(300_000),
  STREAM_MAX_BYTES: wholeNumber(1_024, 1_073_741_824).default(1024 * 1024),
  STREAM_STORE_MAX_BYTES: wholeNumber(1_024, 17_179_869_184).default(1024 * 1024 * 1024),
  STREAM_STALL_TIMEOUT_MS: wholeNumber(100, 3_600_000).default(30_000),
  STREAM_MAX_READERS_PER_STREAM: wholeNumber(0, 100_000).default(16),
  STREAM_MAX_READERS_PER_CALLER: wholeNumber(0, 1_000_000).default(64),
  STREAM_DRAIN_MS: wholeNumber(0, 3_600_000).default(10_000),
  STREAM_LEASE_MS: wholeNumber(1_000, 600_000).default(10_000),
  UPSTREAM_FIRST_TOKEN_TIMEOUT_MS: wholeNumber(100, 3_600_000).default(60_000),
  UPSTREAM_IDLE_TIMEOUT_MS: wholeNumber(100, 3_600_000).default(30_000),
  UPSTREAM_TOTAL_TIMEOUT_MS: wholeNumber(100, 86_400_000).default(600_000),
  UPSTREAM_MAX_RETRIES: wholeNumber(0, 10).default(2),
  UPSTREAM_RETRY_BASE_MS: wholeNumber(0, 60_000).default(500),
  UPSTREAM_RETRY_MAX_DELAY_MS: wholeNumber(0, 600_000).default(8_000),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'expected one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  WEB_DIST_DIR: z.string().min(1).optional(),
  NODE_ENV: z.string().optional(),
  AUTH_MODE: z
    .string()
    .regex(/^\s*(none|oidc|proxy|apikey)(\s*,\s*(none|oidc|proxy|apikey))*\s*$/, {
      error: 'expected one or more of none, oidc, proxy, apikey, comma-separated',
    })
    .optional(),
  OIDC_ISSUER: z.url({ protocol: /^https?$/, error: 'expected the issuer URL' }).optional(),
  OIDC_JWKS_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  OIDC_AUDIENCE: z.string().optional(),
  OIDC_ALGORITHMS: z.string().optional(),
  OIDC_CLOCK_TOLERANCE_S: wholeNumber(0, 300).default(30),
  OIDC_CLAIM_SUBJECT: z.string().min(1).default('sub'),
  OIDC_CLAIM_EMAIL: z.string().min(1).default('email'),
  OIDC_CLAIM_NAME: z.string().min(1).default('name'),
  OIDC_CLAIM_GROUPS: z.string().min(1).default('groups'),
  TRUSTED_PROXY_CIDRS: z.string().optional(),
  PROXY_HEADERS: headerName.default(DEFAULT_PROXY_HEADERS),
  PROXY_USER_HEADER: headerName.optional(),
  PROXY_EMAIL_HEADER: headerName.optional(),
  PROXY_GROUPS_HEADER: headerName.optional(),
  API_KEYS_FILE: z.string().min(1).optional(),
  CORS_ORIGINS: z.string().optional(),
  MODEL_GROUPS: z.string().optional(),
  AUTH_SIGN_IN_URL: z
    .string()
    .regex(/^(\/|https?:\/\/)\S*$/, { error: 'expected a path or an http(s) URL' })
    .optional(),
  LIMIT_CONCURRENT_STREAMS: wholeNumber(0, 10_000).default(4),
  LIMIT_REQUESTS_PER_MINUTE: wholeNumber(0, 1_000_000).default(30),
  LIMIT_TOKENS_PER_DAY: wholeNumber(0, 1_000_000_000_000).default(200_000),
});

/** Splits a comma-separated setting into its trimmed, non-empty, distinct items. */
function list(value: string | undefined): string[] {
  return [
    ...new Set(
      (value ?? '')
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    ),
  ];
}

function readAuthConfig(vars: z.infer<typeof envSchema>, problems: string[]): AuthConfig {
  // Open by default would be the wrong default in production: there it takes a decision, even "none".
  if (vars.AUTH_MODE === undefined && vars.NODE_ENV === 'production') {
    problems.push(
      'AUTH_MODE is unset: NODE_ENV=production needs an explicit choice; set AUTH_MODE=oidc|proxy|apikey, or AUTH_MODE=none to run open on purpose',
    );
  }
  const modes = list(vars.AUTH_MODE ?? 'none') as AuthConfig['modes'];
  const auth: AuthConfig = { modes, signInUrl: vars.AUTH_SIGN_IN_URL };
  if (modes.includes('none') && modes.length > 1) {
    problems.push(
      `AUTH_MODE=${JSON.stringify(vars.AUTH_MODE)}: "none" accepts everyone, so it cannot be combined`,
    );
  }
  if (modes.includes('oidc')) {
    const audience = list(vars.OIDC_AUDIENCE);
    if (!vars.OIDC_ISSUER)
      problems.push('OIDC_ISSUER is unset: AUTH_MODE=oidc needs the issuer URL');
    if (audience.length === 0) {
      problems.push(
        'OIDC_AUDIENCE is unset: AUTH_MODE=oidc needs the audience tokens must be issued for',
      );
    }
    const algorithms = list(vars.OIDC_ALGORITHMS);
    const unsafe = algorithms.filter((alg) => alg === 'none' || /^HS/.test(alg));
    if (unsafe.length > 0) {
      problems.push(
        `OIDC_ALGORITHMS=${JSON.stringify(vars.OIDC_ALGORITHMS)}: ${unsafe.join(', ')} not allowed (asymmetric algorithms only)`,
      );
    }
    auth.oidc = {
      issuer: vars.OIDC_ISSUER ?? '',
      jwksUrl: vars.OIDC_JWKS_URL,
      audience,
      algorithms: algorithms.length > 0 ? algorithms : undefined,
      clockToleranceSeconds: vars.OIDC_CLOCK_TOLERANCE_S,
      claims: {
        subject: vars.OIDC_CLAIM_SUBJECT,
        email: vars.OIDC_CLAIM_EMAIL,
        name: vars.OIDC_CLAIM_NAME,
        groups: vars.OIDC_CLAIM_GROUPS,
      },
    };
  }
  if (modes.includes('proxy')) {
    const trustedCidrs = list(vars.TRUSTED_PROXY_CIDRS);
    if (trustedCidrs.length === 0) {
      problems.push(
        'TRUSTED_PROXY_CIDRS is unset: AUTH_MODE=proxy must know which addresses its proxy calls from',
      );
    }
    const bad = trustedCidrs.filter((cidr) => !isCidr(cidr));
    if (bad.length > 0) {
      problems.push(
        `TRUSTED_PROXY_CIDRS=${JSON.stringify(vars.TRUSTED_PROXY_CIDRS)}: not CIDR blocks: ${bad.join(', ')}`,
      );
    }
    // One family only (see ProxyIdentity): `<prefix>-user`, `-email`, `-groups`, each overridable.
    auth.proxy = {
      trustedCidrs,
      userHeader: vars.PROXY_USER_HEADER ?? `${vars.PROXY_HEADERS}-user`,
      emailHeader: vars.PROXY_EMAIL_HEADER ?? `${vars.PROXY_HEADERS}-email`,
      groupsHeader: vars.PROXY_GROUPS_HEADER ?? `${vars.PROXY_HEADERS}-groups`,
    };
  }
  if (modes.includes('apikey')) {
    if (!vars.API_KEYS_FILE)
      problems.push('API_KEYS_FILE is unset: AUTH_MODE=apikey needs the file of key hashes');
    auth.apiKeysFile = vars.API_KEYS_FILE;
  }
  return auth;
}

/**
 * `MODEL_GROUPS=gpt-4o:admins|power-users,o1:admins`: each listed model is open only to users in one
 * of its groups; models not listed stay open to everyone.
 */
function readModelGroups(
  value: string | undefined,
  models: string[],
  problems: string[],
): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const entry of list(value)) {
    const [model, allowed, extra] = entry.split(':').map((part) => part.trim());
    const names = (allowed ?? '')
      .split('|')
      .map((group) => group.trim())
      .filter(Boolean);
    if (!model || names.length === 0 || extra !== undefined) {
      problems.push(
        `MODEL_GROUPS=${JSON.stringify(value)}: expected model:group|group entries, not "${entry}"`,
      );
    } else if (!models.includes(model)) {
      problems.push(`MODEL_GROUPS=${JSON.stringify(value)}: ${model} is not one of CHAT_MODELS`);
    } else {
      groups[model] = names;
    }
  }
  return groups;
}

/** `10.0.0.0/8`, `127.0.0.1/32`, `::1/128`, or a bare address (one host). */
function isCidr(value: string): boolean {
  const [address, bits, extra] = value.split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  const prefix = Number(bits);
  return /^\d+$/.test(bits) && prefix <= (version === 4 ? 32 : 128);
}

type Env = Record<string, string | undefined>;

/** The variables that describe one upstream, which a models file replaces. */
const SHORTHAND_SETTINGS = [
  'CHAT_PROVIDER',
  'CHAT_MODEL',
  'CHAT_MODELS',
  'OPENAI_BASE_URL',
  'MODEL_GROUPS',
  'EMBEDDING_MODELS',
] as const;

/** The models and deployments `MODELS_FILE` lists. */
function routesFromFile(
  vars: z.infer<typeof envSchema>,
  env: Env,
  problems: string[],
): ModelRoutes {
  for (const name of SHORTHAND_SETTINGS) {
    if (vars[name] !== undefined) {
      problems.push(
        `${name} is set beside MODELS_FILE: the file lists the models and where they go; unset ${name}`,
      );
    }
  }
  const file = readModelsFile(vars.MODELS_FILE as string, env);
  if (file.ok) return file.routes;
  problems.push(...file.problems);
  return {
    models: [],
    embeddingModels: [],
    defaultModel: '',
    modelGroups: {},
    deployments: {},
    fallbacks: {},
    modelLimits: {},
    cooldownMs: 0,
  };
}

/**
 * The one-upstream shorthand: `CHAT_MODELS` (or `CHAT_MODEL`) all answered by the upstream at
 * `OPENAI_BASE_URL` with `OPENAI_API_KEY`, or by the demo model when there is no key.
 */
function routesFromVariables(vars: z.infer<typeof envSchema>, problems: string[]): ModelRoutes {
  const provider: ChatProviderName =
    vars.CHAT_PROVIDER ?? (vars.OPENAI_API_KEY ? 'openai' : 'demo');
  if (provider === 'openai' && !vars.OPENAI_API_KEY) {
    problems.push(
      'OPENAI_API_KEY is unset: CHAT_PROVIDER=openai needs a key (local servers such as Ollama accept any value)',
    );
  }
  const defaultModel =
    vars.CHAT_MODEL ?? (provider === 'openai' ? DEFAULT_OPENAI_MODEL : DEFAULT_DEMO_MODEL);
  const models = vars.CHAT_MODELS ? list(vars.CHAT_MODELS) : [defaultModel];
  const modelGroups = readModelGroups(vars.MODEL_GROUPS, models, problems);
  if (!models.includes(defaultModel)) {
    problems.push(
      `CHAT_MODELS=${JSON.stringify(vars.CHAT_MODELS)}: must include CHAT_MODEL (${defaultModel})`,
    );
  }
  // Embedding models go to the same upstream; the demo model has none.
  const embeddingModels = provider === 'demo' ? [] : list(vars.EMBEDDING_MODELS);
  if (provider === 'demo' && vars.EMBEDDING_MODELS) {
    problems.push('EMBEDDING_MODELS is set without an upstream: the demo model has no embeddings');
  }
  const baseUrl = vars.OPENAI_BASE_URL;
  const deployment = (model: string): Deployment =>
    provider === 'demo'
      ? { kind: 'demo', name: 'demo', weight: 1 }
      : {
          kind: 'openai',
          name: `${baseUrl ? new URL(baseUrl).host : 'api.openai.com'}/${model}`,
          weight: 1,
          baseUrl,
          apiKey: vars.OPENAI_API_KEY ?? '',
          model,
        };
  const all = [...models, ...embeddingModels];
  return {
    models,
    embeddingModels,
    defaultModel,
    modelGroups,
    deployments: Object.fromEntries(all.map((model) => [model, [deployment(model)]])),
    fallbacks: Object.fromEntries(all.map((model) => [model, []])),
    modelLimits: {},
    cooldownMs: DEFAULT_COOLDOWN_MS,
  };
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
  const parsed = envSchema.safeParse(present);
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
  const vars = parsed.data;
  const problems: string[] = [...replaced];
  const routes = vars.MODELS_FILE
    ? routesFromFile(vars, present, problems)
    : routesFromVariables(vars, problems);
  if (vars.STREAM_STORE_MAX_BYTES < vars.STREAM_MAX_BYTES) {
    problems.push(
      `STREAM_STORE_MAX_BYTES=${vars.STREAM_STORE_MAX_BYTES}: must be at least STREAM_MAX_BYTES (${vars.STREAM_MAX_BYTES}), as each running stream counts at STREAM_MAX_BYTES`,
    );
  }
  const auth = readAuthConfig(vars, problems);
  const corsOrigins = list(vars.CORS_ORIGINS);
  const badOrigins = corsOrigins.filter((origin) => !/^https?:\/\/[^/\s*]+$/.test(origin));
  if (badOrigins.length > 0) {
    problems.push(
      `CORS_ORIGINS=${JSON.stringify(vars.CORS_ORIGINS)}: expected origins like https://app.example.com (no path, no wildcard), not ${badOrigins.join(', ')}`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port: vars.PORT,
    host: vars.HOST,
    metricsPort: vars.METRICS_PORT,
    metricsHost: vars.METRICS_HOST,
    redisUrl: vars.REDIS_URL,
    redisCommandTimeoutMs: vars.REDIS_COMMAND_TIMEOUT_MS,
    database: vars.DATABASE_URL ? { url: vars.DATABASE_URL } : { dir: vars.DATABASE_DIR },
    conversationRetentionDays: vars.CONVERSATION_RETENTION_DAYS,
    ...routes,
    provider: Object.values(routes.deployments)
      .flat()
      .every((deployment) => deployment.kind === 'demo')
      ? 'demo'
      : 'openai',
    modelsFile: vars.MODELS_FILE,
    heartbeatMs: vars.STREAM_HEARTBEAT_MS,
    demoTokenDelayMs: vars.DEMO_TOKEN_DELAY_MS,
    streams: {
      resumeGraceMs: vars.STREAM_RESUME_GRACE_MS,
      retentionMs: vars.STREAM_RETENTION_MS,
      maxStreamBytes: vars.STREAM_MAX_BYTES,
      maxStoreBytes: vars.STREAM_STORE_MAX_BYTES,
      stallTimeoutMs: vars.STREAM_STALL_TIMEOUT_MS,
      maxReaders: {
        perStream: vars.STREAM_MAX_READERS_PER_STREAM,
        perCaller: vars.STREAM_MAX_READERS_PER_CALLER,
      },
      drainMs: vars.STREAM_DRAIN_MS,
      leaseMs: vars.STREAM_LEASE_MS,
    },
    upstream: {
      firstTokenTimeoutMs: vars.UPSTREAM_FIRST_TOKEN_TIMEOUT_MS,
      idleTimeoutMs: vars.UPSTREAM_IDLE_TIMEOUT_MS,
      totalTimeoutMs: vars.UPSTREAM_TOTAL_TIMEOUT_MS,
      maxRetries: vars.UPSTREAM_MAX_RETRIES,
      retryBaseDelayMs: vars.UPSTREAM_RETRY_BASE_MS,
      retryMaxDelayMs: vars.UPSTREAM_RETRY_MAX_DELAY_MS,
    },
    logLevel: vars.LOG_LEVEL,
    webDistDir: vars.WEB_DIST_DIR ?? defaults.webDistDir,
    production: vars.NODE_ENV === 'production',
    auth,
    corsOrigins,
    limits: {
      concurrentStreams: vars.LIMIT_CONCURRENT_STREAMS,
      requestsPerMinute: vars.LIMIT_REQUESTS_PER_MINUTE,
      tokensPerDay: vars.LIMIT_TOKENS_PER_DAY,
    },
  };
}
