import { z } from 'zod';
import { DEFAULT_REDIS_COMMAND_TIMEOUT_MS } from '../redis/redis-command-timeout';
import { authSettings } from './auth-settings';
import { upstreamUrl, wholeNumber } from './setting-types';

/** Where the embedded database keeps its files unless `DATABASE_DIR` says otherwise. */
export const DEFAULT_DATABASE_DIR = 'data/db';

/**
 * Every environment variable the api reads, each once: what it takes, its default, and what it
 * means (`describe`, the README's "meaning"); `meta({ shown })` is the README's "default" where the
 * schema's own default does not say it. The README's tables are checked against this by a test.
 */
export const settingsSchema = z.object({
  PORT: wholeNumber(0, 65_535).default(3000).describe("the api's port"),
  HOST: z
    .string()
    .min(1)
    .optional()
    .describe('the address it listens on')
    .meta({ shown: '`0.0.0.0`' }),
  LISTEN_BACKLOG: wholeNumber(1, 65_535)
    .default(4096)
    .describe(
      "how many new connections the kernel holds for the api while it is busy starting others (the kernel's `net.core.somaxconn` caps it); past it, a connection waits a second or more for its retry (see [Deploying](#deploying))",
    ),
  METRICS_PORT: wholeNumber(0, 65_535)
    .optional()
    .describe(
      "a port of its own for Prometheus' `GET /metrics` (see [Deploying](#deploying)); `0` picks a free one",
    )
    .meta({ shown: 'none: no metrics listener' }),
  METRICS_HOST: z
    .string()
    .min(1)
    .default('127.0.0.1')
    .describe(
      "the address the metrics listener binds; `0.0.0.0` or the pod's IP lets Prometheus scrape it from another host",
    )
    .meta({ shown: '`127.0.0.1` (whatever `HOST` is)' }),
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'expected a redis:// or rediss:// URL' })
    .optional()
    .describe(
      '`redis://` or `rediss://` URL of the Redis several instances share their streams and limits through (see [Several instances](#several-instances))',
    )
    .meta({ shown: 'none: each instance keeps its own' }),
  REDIS_COMMAND_TIMEOUT_MS: wholeNumber(1, 60_000)
    .default(DEFAULT_REDIS_COMMAND_TIMEOUT_MS)
    .describe(
      "how long a stream's admission waits for Redis before the limits fail open (see [Limits](#limits))",
    ),
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'expected a postgres:// or postgresql:// URL' })
    .optional()
    .describe(
      '`postgres://` URL of the PostgreSQL that keeps conversations, shared by every instance (see [Conversations](#conversations)); opened and migrated at boot',
    )
    .meta({ shown: 'none: the embedded database' }),
  DATABASE_DIR: z
    .string()
    .min(1)
    .default(DEFAULT_DATABASE_DIR)
    .describe(
      'without `DATABASE_URL`: the folder of the embedded PostgreSQL (PGlite); `memory://` keeps nothing on disk',
    )
    .meta({ shown: '`data/db` (from the working directory)' }),
  CONVERSATION_RETENTION_DAYS: wholeNumber(0, 36_500)
    .default(0)
    .describe(
      'conversations not updated for this many days are deleted (at boot, then hourly); `0`: kept until deleted',
    ),
  USAGE_RETENTION_DAYS: wholeNumber(1, 36_500)
    .default(400)
    .describe(
      'usage rows (one per reply and embeddings call: who, which model, tokens, cost; never content) older than this many days are deleted (at boot, then hourly)',
    ),
  CHAT_PROVIDER: z
    .enum(['demo', 'openai'], { error: 'expected "demo" or "openai"' })
    .optional()
    .describe('`demo` or `openai`')
    .meta({ shown: '`openai` when `OPENAI_API_KEY` is set, else `demo`' }),
  OPENAI_API_KEY: z
    .string()
    .min(1, { error: 'expected a key, or leave it unset' })
    .optional()
    .describe("the upstream's key (local servers accept any value)"),
  OPENAI_BASE_URL: upstreamUrl('the key belongs in OPENAI_API_KEY')
    .optional()
    .describe(
      "the upstream's OpenAI-compatible base URL, ending in `/v1`; no user, password or query (refused)",
    )
    .meta({ shown: "OpenAI's" }),
  CHAT_MODEL: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('the model used when a request names none')
    .meta({ shown: '`gpt-4o-mini` (`demo` for the demo provider)' }),
  CHAT_MODELS: z
    .string()
    .optional()
    .describe('comma-separated models callers may ask for; must include `CHAT_MODEL`')
    .meta({ shown: '`CHAT_MODEL` alone' }),
  EMBEDDING_MODELS: z
    .string()
    .optional()
    .describe(
      'comma-separated embeddings models `POST /v1/embeddings` answers with, on the same upstream',
    ),
  MODELS_FILE: z
    .string()
    .min(1)
    .optional()
    .describe(
      'a JSON or YAML file listing the models and their deployments (see "Several upstreams"); replaces `CHAT_PROVIDER`, `CHAT_MODEL(S)`, `EMBEDDING_MODELS`, `OPENAI_BASE_URL` and `MODEL_GROUPS`',
    ),
  STREAM_HEARTBEAT_MS: wholeNumber(10, 600_000)
    .default(15_000)
    .describe('quiet time before a `: keep-alive` comment'),
  STREAM_RESUME_GRACE_MS: wholeNumber(0, 3_600_000)
    .default(10_000)
    .describe(
      'how long a generation outlives its last reader, waiting for it to come back, before it is cancelled (`0`: at once)',
    ),
  STREAM_RETENTION_MS: wholeNumber(0, 86_400_000)
    .default(300_000)
    .describe('how long a finished stream stays readable (for a late reader or a reload)'),
  STREAM_MAX_BYTES: wholeNumber(1_024, 1_073_741_824)
    .default(1024 * 1024)
    .describe(
      "the most one stream's frames may hold (JSON bytes); past it the reply ends with `reply_too_large`",
    )
    .meta({ shown: '`1048576` (1 MiB)' }),
  STREAM_STORE_MAX_BYTES: wholeNumber(1_024, 17_179_869_184)
    .default(1024 * 1024 * 1024)
    .describe(
      "the most all streams' frames may hold, running ones counted at `STREAM_MAX_BYTES`; at least `STREAM_MAX_BYTES`",
    )
    .meta({ shown: '`1073741824` (1 GiB)' }),
  STREAM_STALL_TIMEOUT_MS: wholeNumber(100, 3_600_000)
    .default(30_000)
    .describe(
      "how long a reader's socket may take nothing before its connection is closed (it may resume later)",
    ),
  STREAM_MAX_READERS_PER_STREAM: wholeNumber(0, 100_000)
    .default(16)
    .describe('connections reading one stream at once, the `POST` included (`0`: no bound)'),
  STREAM_MAX_READERS_PER_CALLER: wholeNumber(0, 1_000_000)
    .default(64)
    .describe(
      'connections one caller reads streams on at once (`0`: no bound); raise it for services with many streams',
    ),
  STREAM_DRAIN_MS: wholeNumber(0, 3_600_000)
    .default(10_000)
    .describe(
      'on `SIGTERM`, how long replies in flight may take to finish before they end with `server_shutting_down`',
    ),
  STREAM_LEASE_MS: wholeNumber(1_000, 600_000)
    .default(10_000)
    .describe(
      "with `REDIS_URL`: how long an instance's hold on the replies it generates outlasts its last heartbeat; a reply whose instance died ends with `generation_lost` after it",
    ),
  DEMO_TOKEN_DELAY_MS: wholeNumber(0, 10_000)
    .default(30)
    .describe("the demo model's pace, per token"),
  UPSTREAM_FIRST_TOKEN_TIMEOUT_MS: wholeNumber(100, 3_600_000)
    .default(60_000)
    .describe(
      "longest wait for a reply's first text, retries included; past it the reply ends with `upstream_timeout`",
    ),
  UPSTREAM_IDLE_TIMEOUT_MS: wholeNumber(100, 3_600_000)
    .default(30_000)
    .describe('longest silence between two pieces of text once a reply has started'),
  UPSTREAM_TOTAL_TIMEOUT_MS: wholeNumber(100, 86_400_000)
    .default(600_000)
    .describe('longest a whole reply may take'),
  UPSTREAM_MAX_RETRIES: wholeNumber(0, 10)
    .default(2)
    .describe('retries of an upstream request that failed before any text (`0`: none)'),
  UPSTREAM_RETRY_BASE_MS: wholeNumber(0, 60_000)
    .default(500)
    .describe('backoff before the first retry; it doubles with each retry, with full jitter'),
  UPSTREAM_RETRY_MAX_DELAY_MS: wholeNumber(0, 600_000)
    .default(8_000)
    .describe('the most one backoff may wait'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'expected one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info')
    .describe('`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`'),
  WEB_DIST_DIR: z
    .string()
    .min(1)
    .optional()
    .describe('the built web app the api serves at `/`')
    .meta({ shown: '`dist/apps/web/browser` beside the built api' }),
  NODE_ENV: z
    .string()
    .optional()
    .describe(
      '`production` turns on what a deployment needs: an explicit `AUTH_MODE` (see [Authentication](#authentication))',
    )
    .meta({ shown: 'none: development' }),
  ...authSettings,
});

/** The settings as read: each variable parsed, its default applied. */
export type Settings = z.infer<typeof settingsSchema>;
