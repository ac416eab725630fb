/**
 * How much tokenstream costs on top of a plain Node passthrough, measured in one run against the
 * same fake upstream: time to first text, whole-stream time, throughput and peak memory.
 *
 *   npx nx bench bench [-- --streams 400 --concurrency 20 --chunks 200]
 */
import { startRedis } from '@tokenstream/e2e-support';
import { measureStream, percentile, runLoad } from './load';
import { startNodeChild } from './node-child';
import { residentMiB, watchPeakRss } from './process-memory';

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
}

const STREAMS = flag('streams', 400);
const CONCURRENCY = flag('concurrency', 20);
const CHUNKS = flag('chunks', 200);
const DEADLINE_MS = flag('deadline-ms', 120_000);
const WARMUP = 20;

/** A target started for its measurement, and how to stop it after. */
interface Running {
  target: Target;
  stop(): Promise<void>;
}

interface Target {
  name: string;
  url: string;
  body: string;
  pid: number;
}

async function measure(target: Target) {
  const once = () => measureStream(target.url, target.body, 'tok0');
  await runLoad(WARMUP, CONCURRENCY, DEADLINE_MS, once);
  const idleMiB = residentMiB(target.pid);
  const peak = watchPeakRss(target.pid);
  const run = await runLoad(STREAMS, CONCURRENCY, DEADLINE_MS, once);
  const peakMiB = peak.stop();
  const first = run.samples.map((s) => s.firstTextMs);
  const total = run.samples.map((s) => s.totalMs);
  return {
    target: target.name,
    streams: run.samples.length,
    failed: run.failed,
    skipped: run.skipped,
    streamsPerSecond: run.samples.length / (run.wallMs / 1000),
    tokensPerSecond: (run.samples.length * CHUNKS) / (run.wallMs / 1000),
    firstTextP50: percentile(first, 50),
    firstTextP99: percentile(first, 99),
    totalP50: percentile(total, 50),
    totalP99: percentile(total, 99),
    idleMiB,
    peakMiB,
  };
}

async function main(): Promise<void> {
  const reply = Array.from({ length: CHUNKS }, (_, i) => `tok${i} `).join('');
  // Every server runs in a process of its own, so this one is only the load generator.
  const tsNode = ['-r', 'ts-node/register/transpile-only'];
  const mock = await startNodeChild(
    [
      ...tsNode,
      'tools/mock-openai/src/main.ts',
      '--port',
      '0',
      '--reply',
      reply,
      '--chunks',
      String(CHUNKS),
      '--chunk-delay-ms',
      '0',
    ],
    { TS_NODE_PROJECT: 'tools/mock-openai/tsconfig.lib.json' },
  );
  // Logging stays at its production level (info): its cost is part of what is measured.
  const apiEnv = {
    PORT: '0',
    HOST: '127.0.0.1',
    OPENAI_API_KEY: 'sk-bench',
    OPENAI_BASE_URL: mock.url,
    WEB_DIST_DIR: '/nonexistent',
  };
  // One anonymous caller sends every stream: limits off, or so high they count but never refuse.
  const noLimits = {
    LIMIT_CONCURRENT_STREAMS: '0',
    LIMIT_REQUESTS_PER_MINUTE: '0',
    LIMIT_TOKENS_PER_DAY: '0',
  };
  const countedLimits = {
    LIMIT_CONCURRENT_STREAMS: '10000',
    LIMIT_REQUESTS_PER_MINUTE: '1000000',
    LIMIT_TOKENS_PER_DAY: '1000000000000',
  };
  const message = { messages: [{ role: 'user', content: 'hi' }] };
  const apiTarget = (name: string, env: Record<string, string>) => async (): Promise<Running> => {
    const api = await startNodeChild(['dist/apps/api/main.js'], { ...apiEnv, ...env });
    return {
      target: {
        name,
        url: `${api.url}/api/chat/stream`,
        body: JSON.stringify(message),
        pid: api.child.pid!,
      },
      stop: async () => void api.child.kill(),
    };
  };
  // Each target runs alone: started before it is measured, stopped after.
  const targets: (() => Promise<Running>)[] = [
    async () => {
      const passthrough = await startNodeChild(['bench/src/passthrough-proxy.cjs', mock.url], {});
      const body = JSON.stringify({ model: 'gpt-4o-mini', stream: true, ...message });
      return {
        target: {
          name: 'node passthrough',
          url: `${passthrough.url}/v1/chat/completions`,
          body,
          pid: passthrough.child.pid!,
        },
        stop: async () => void passthrough.child.kill(),
      };
    },
    apiTarget('tokenstream api', noLimits),
    apiTarget('tokenstream api, limits counted in memory', countedLimits),
    async () => {
      const redis = await startRedis();
      const running = await apiTarget('tokenstream api, limits counted in Redis', {
        ...countedLimits,
        REDIS_URL: redis.url,
      })();
      return {
        target: running.target,
        stop: async () => (await running.stop(), await redis.stop()),
      };
    },
  ];
  try {
    const results = [];
    for (const start of targets) {
      const running = await start();
      try {
        results.push(await measure(running.target));
      } finally {
        await running.stop();
      }
    }
    const f = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
    console.log(
      `\n${STREAMS} streams of ${CHUNKS} tokens, ${CONCURRENCY} at a time, upstream at full speed; node ${process.version}\n`,
    );
    console.log(
      '| target | streams ok/failed | streams/s | tokens/s | first text p50 / p99 ms | whole stream p50 / p99 ms | RSS idle / peak MiB |',
    );
    console.log('|---|---|---|---|---|---|---|');
    for (const r of results) {
      console.log(
        `| ${r.target} | ${r.streams}/${r.failed} | ${f(r.streamsPerSecond)} | ${f(r.tokensPerSecond)} | ${f(r.firstTextP50)} / ${f(r.firstTextP99)} | ${f(r.totalP50)} / ${f(r.totalP99)} | ${f(r.idleMiB)} / ${f(r.peakMiB)} |`,
      );
    }
  } finally {
    mock.child.kill();
  }
}

void main();
