import { exitOf, stopChild } from '@tokenstream/e2e-support';
import type { MockOptions, MockStats } from '@tokenstream/mock-openai';
import { startNodeChild } from '../node-child';

/** How long the mock may take to close its connections and exit. */
const STOP_GRACE_MS = 5_000;

/** The fake upstream in a process of its own, steered and counted over its `/__mock/` routes. */
export interface MockUpstream {
  /** The base URL for OPENAI_BASE_URL (`http://127.0.0.1:<port>/v1`). */
  url: string;
  /** Its process id, for /proc (CPU, memory). */
  pid: number;
  configure(patch: Partial<MockOptions>): Promise<void>;
  stats(): Promise<MockStats>;
  /** The stats once no stream is running (see upstreamRunning), or after `timeoutMs` as they are. */
  waitUntilIdle(timeoutMs: number): Promise<MockStats>;
  stop(): Promise<void>;
  /** SIGKILL, for a harness that gives up. */
  kill(): void;
}

/** How often the stats are read while waiting for the last streams to end. */
const IDLE_POLL_MS = 250;

/** Upstream streams neither completed, aborted nor ended by a fault: still running. */
export function upstreamRunning(stats: MockStats): number {
  return (
    stats.streamsStarted - stats.streamsCompleted - stats.streamsAborted - stats.streamsFaulted
  );
}

/** Starts `tools/mock-openai` as the bench does: its own process, so its timers keep their pace. */
export async function startMockUpstream(): Promise<MockUpstream> {
  const { url, child } = await startNodeChild(
    ['-r', 'ts-node/register/transpile-only', 'tools/mock-openai/src/main.ts', '--port', '0'],
    { TS_NODE_PROJECT: 'tools/mock-openai/tsconfig.lib.json' },
  );
  const exited = exitOf(child);
  const control = (path: string) => new URL(`/__mock/${path}`, url);
  const upstream: MockUpstream = {
    url,
    pid: child.pid ?? -1,
    async configure(patch) {
      const response = await fetch(control('config'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(patch),
        signal: AbortSignal.timeout(5_000),
      });
      if (!response.ok) throw new Error(`mock config: ${response.status} ${await response.text()}`);
    },
    async stats() {
      const response = await fetch(control('stats'), { signal: AbortSignal.timeout(5_000) });
      return (await response.json()) as MockStats;
    },
    async waitUntilIdle(timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      let stats = await upstream.stats();
      while (upstreamRunning(stats) !== 0 && performance.now() < deadline) {
        await new Promise((done) => setTimeout(done, IDLE_POLL_MS));
        stats = await upstream.stats();
      }
      return stats;
    },
    async stop() {
      await stopChild(child, exited, { graceMs: STOP_GRACE_MS });
    },
    kill() {
      child.kill('SIGKILL');
    },
  };
  return upstream;
}
