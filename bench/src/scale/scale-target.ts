import { exitOf, startRedis, stopChild } from '@tokenstream/e2e-support';
import { startNodeChild } from '../node-child';
import type { ReplyRequest } from './reply-client';

/**
 * The servers measured side by side, in the order they run and appear in the tables: the api with
 * its embedded store, with its streams in a Redis of its own (`REDIS_URL`), and three instances
 * of it sharing that Redis, the replies spread over them in turn (as a balancer would).
 */
export const TARGET_NAMES = ['passthrough', 'sdk-loop', 'api', 'api-redis', 'api-redis-3'] as const;

/** One of {@link TARGET_NAMES}. */
export type TargetName = (typeof TARGET_NAMES)[number];

/** The column headings of the tables. */
export const TARGET_LABELS: Readonly<Record<TargetName, string>> = {
  passthrough: 'plain passthrough',
  'sdk-loop': 'SDK loop',
  api: 'tokenstream api',
  'api-redis': 'api, Redis store',
  'api-redis-3': '3 api instances, one Redis',
};

/** How many api processes each target runs (the others run one server). */
const INSTANCES: Partial<Record<TargetName, number>> = { 'api-redis-3': 3 };

/**
 * The api as deployed for one busy caller: no authentication, the per-caller limits off, logging
 * at its production level, its usage rows in an embedded database in memory, and a store with room for 8,192 replies of `STREAM_MAX_BYTES` (each
 * running reply counts at that size), more than the 5,000 at once of the largest scenario.
 */
export const API_ENV: Readonly<Record<string, string>> = {
  AUTH_MODE: 'none',
  LOG_LEVEL: 'info',
  LIMIT_CONCURRENT_STREAMS: '0',
  LIMIT_REQUESTS_PER_MINUTE: '0',
  LIMIT_TOKENS_PER_DAY: '0',
  STREAM_MAX_READERS_PER_CALLER: '0',
  STREAM_MAX_BYTES: String(256 * 1024),
  STREAM_STORE_MAX_BYTES: String(2 * 1024 ** 3),
  // Usage rows go to an embedded database of the run's own, not the developer's `data/db`.
  DATABASE_DIR: 'memory://',
};

/** The plain-JavaScript servers, run with plain `node` so their memory is Node's and theirs. */
const SERVER_FILES: Readonly<Record<'passthrough' | 'sdk-loop', string>> = {
  passthrough: 'bench/src/passthrough-proxy.cjs',
  'sdk-loop': 'bench/src/sdk-loop-server.cjs',
};

/** How long a target may take to exit after SIGTERM before it is killed. */
const STOP_GRACE_MS = 3_000;

/** The same while profiling: the api drains its replies first, and only a clean exit writes the profile. */
const PROFILED_STOP_GRACE_MS = 60_000;

/** A started target: where to ask it for a reply, and how to tell its reply ended well. */
export interface ScaleTarget {
  name: TargetName;
  /** The server's process, or the first instance's. */
  pid: number;
  /** Every server process of the target (three for `api-redis-3`): their CPU is summed. */
  pids: number[];
  /** The Redis the api keeps its streams in, for `api-redis`: its process, measured beside it. */
  redisPid?: number;
  /** The request for one reply of `tokens` tokens. */
  request(tokens: number): ReplyRequest;
  stop(): Promise<void>;
  /** SIGKILL, for a run that gives up. */
  kill(): void;
}

const MESSAGES = [{ role: 'user', content: 'hi' }];
/** What the passthrough forwards as it is, and what the SDK loop and the api send upstream. */
const OPENAI_BODY = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: MESSAGES,
  stream: true,
  stream_options: { include_usage: true },
});
const DONE = 'data: [DONE]\n\n';
/** The api's last frame of a reply that ended well (stream-contracts README). */
const API_FINISH = /data: \{"type":"finish","finishReason":"stop"[^\n]*\n\n$/;

/**
 * Starts `name` in a process of its own, in front of the upstream at `upstreamUrl`; `apiEnv` adds
 * to (or overrides) {@link API_ENV} for the api. With `cpuProfDir`, the target writes a CPU profile
 * there when it exits.
 */
export async function startTarget(
  name: TargetName,
  upstreamUrl: string,
  apiEnv: Record<string, string> = {},
  cpuProfDir?: string,
): Promise<ScaleTarget> {
  const profile = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [];
  const isApi = name.startsWith('api');
  const redis = name.startsWith('api-redis') ? await startRedis() : undefined;
  const startServer = () =>
    isApi
      ? startNodeChild([...profile, 'dist/apps/api/main.js'], {
          PORT: '0',
          HOST: '127.0.0.1',
          WEB_DIST_DIR: '/nonexistent',
          OPENAI_API_KEY: 'sk-bench',
          OPENAI_BASE_URL: upstreamUrl,
          ...API_ENV,
          ...(redis ? { REDIS_URL: redis.url } : {}),
          ...apiEnv,
        })
      : startNodeChild(
          [...profile, SERVER_FILES[name as keyof typeof SERVER_FILES], upstreamUrl],
          {},
        );
  const servers = await Promise.all(
    Array.from({ length: INSTANCES[name] ?? 1 }, startServer),
  ).catch(async (error: unknown) => {
    await redis?.stop();
    throw error;
  });
  const children = servers.map(({ child }) => ({ child, exited: exitOf(child) }));
  const urls = servers.map((server) => {
    const base = server.url.replace(/\/$/, '');
    return new URL(isApi ? `${base}/api/chat/stream` : `${base}/v1/chat/completions`);
  });
  const body = name === 'passthrough' ? OPENAI_BODY : JSON.stringify({ messages: MESSAGES });
  const endsWell = isApi
    ? (tail: string) => API_FINISH.test(tail)
    : (tail: string) => tail.endsWith(DONE);
  let turn = 0;
  return {
    name,
    pid: children[0].child.pid ?? -1,
    pids: children.map(({ child }) => child.pid ?? -1),
    redisPid: redis?.pid(),
    // In turn, as a round-robin balancer spreads them.
    request: (tokens) => ({ url: urls[turn++ % urls.length], body, tokens, endsWell }),
    stop: async () => {
      await Promise.all(
        children.map(({ child, exited }) =>
          stopChild(child, exited, {
            graceMs: cpuProfDir ? PROFILED_STOP_GRACE_MS : STOP_GRACE_MS,
          }),
        ),
      );
      await redis?.stop();
    },
    kill: () => {
      for (const { child } of children) child.kill('SIGKILL');
      if (redis) process.kill(redis.pid(), 'SIGKILL');
    },
  };
}
