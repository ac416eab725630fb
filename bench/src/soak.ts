/**
 * A bounded soak: mixed, misbehaving traffic against two instances of the built api for a few
 * minutes, then the checks that it lost no text, left nothing running and gave its memory and
 * handles back. Exits non-zero if any check fails. Not part of `npm test`.
 *
 *   npx nx soak bench [--duration-s 120 --concurrency 24 --seed 12345]
 *
 * What it does and what the figures mean: bench/README.md, "Soak: misbehaving clients and
 * upstream faults".
 */
import { cpus } from 'node:os';
import { ApiPaths, type HealthResponse } from '@tokenstream/stream-contracts';
import { sleep } from './soak/follow-stream';
import { startMockUpstream, upstreamRunning, type MockUpstream } from './soak/mock-upstream';
import { probeProcess, watchPeaks } from './soak/process-probe';
import { MIXED_TRAFFIC, MIXED_WEIGHTS, WARM_UP } from './soak/mixed-traffic';
import { longReply } from './soak/reply-script';
import { newOutcome, type Scenario, type ScenarioContext } from './soak/scenario-context';
import { readThroughSigterm } from './soak/scenarios/read-through-sigterm';
import { SeededRandom } from './soak/seeded-random';
import { SoakInstance } from './soak/soak-instance';
import { parseSoakOptions, type SoakOptions } from './soak/soak-options';
import { writeReport, type SoakMeasurements } from './soak/soak-report';
import type { ScenarioName, StreamOutcome } from './soak/stream-outcome';

/** Long replies started on B just before its SIGTERM, so its drain always has something to end. */
const READERS_THROUGH_SIGTERM = 3;

/** How long before the SIGTERM those replies start. */
const READERS_THROUGH_SIGTERM_LEAD_MS = 500;

/** Quiet time before the baseline: idle keep-alive connections (5 s in Node) close. */
const IDLE_BEFORE_BASELINE_MS = 6_000;

/** How long the upstream may take to see its last requests end once the load is over. */
const UPSTREAM_WAIT_MS = 15_000;

/** Chunks the long reply is sent in (all at once: no delay). */
const LONG_REPLY_CHUNKS = 512;

/** The api's own flush after the drain (SHUTDOWN_FLUSH_TIMEOUT_MS), and time to close. */
const SHUTDOWN_FLUSH_MS = 2_000;
const SHUTDOWN_CLOSE_MS = 2_000;

/** The api's environment: the mock as its upstream, limits off, short grace, drain and retention. */
function apiEnvironment(options: SoakOptions, mockUrl: string, longReplyBytes: number) {
  return {
    OPENAI_API_KEY: 'sk-soak',
    OPENAI_BASE_URL: mockUrl,
    AUTH_MODE: 'none',
    // One anonymous caller sends everything: no per-principal limit may refuse it.
    LIMIT_CONCURRENT_STREAMS: '0',
    LIMIT_REQUESTS_PER_MINUTE: '0',
    LIMIT_TOKENS_PER_DAY: '0',
    STREAM_RESUME_GRACE_MS: String(options.graceMs),
    STREAM_DRAIN_MS: String(options.drainMs),
    STREAM_RETENTION_MS: String(options.retentionMs),
    // Room for the long reply and its frames; the store's budget is accounting, not memory.
    STREAM_MAX_BYTES: String(Math.max(1024 * 1024, 2 * longReplyBytes)),
    STREAM_STORE_MAX_BYTES: String(4 * 1024 ** 3),
  };
}

/** An outcome for a scenario that threw: a harness bug, counted as unexpected. */
function crashed(scenario: ScenarioName, context: ScenarioContext, error: unknown): StreamOutcome {
  return {
    ...newOutcome(scenario, context),
    unexpected: [`the scenario threw: ${error instanceof Error ? error.stack : String(error)}`],
  };
}

async function activeStreams(instance: SoakInstance): Promise<number | undefined> {
  try {
    const response = await fetch(new URL(ApiPaths.health, instance.url), {
      signal: AbortSignal.timeout(5_000),
    });
    return ((await response.json()) as HealthResponse).activeStreams;
  } catch {
    return undefined;
  }
}

async function soak(options: SoakOptions, mock: MockUpstream, instances: SoakInstance[]) {
  const [a, b] = instances;
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const outcomes: StreamOutcome[] = [];
  const longReplyText = longReply(
    SeededRandom.derive(options.seed, 1_000_000),
    options.longReplyKib,
  );
  await mock.configure({
    reply: longReplyText,
    chunks: LONG_REPLY_CHUNKS,
    chunkDelayMs: 0,
    firstTokenDelayMs: 0,
  });
  const inFlight = new Map<string, number>();
  const run = async (
    name: ScenarioName,
    scenario: Scenario,
    context: ScenarioContext,
  ): Promise<void> => {
    inFlight.set(context.instance.name, (inFlight.get(context.instance.name) ?? 0) + 1);
    try {
      outcomes.push(...(await scenario(context)));
    } catch (error) {
      outcomes.push(crashed(name, context, error));
    } finally {
      inFlight.set(context.instance.name, (inFlight.get(context.instance.name) ?? 1) - 1);
    }
  };
  const contextFor = (rng: SeededRandom, instance: SoakInstance, tag: string): ScenarioContext => ({
    rng,
    instance,
    tag,
    streamTimeoutMs: options.streamTimeoutS * 1000,
    graceMs: options.graceMs,
    longReply: longReplyText,
  });

  console.log(`warming up: ${WARM_UP.length} scenarios on each instance`);
  await Promise.all(
    instances.map(async (instance, i) => {
      const rng = SeededRandom.derive(options.seed, 100_000 + i);
      for (const [n, name] of WARM_UP.entries()) {
        await run(
          name,
          MIXED_TRAFFIC[name].run,
          contextFor(rng, instance, `warm-${instance.name}#${n}`),
        );
      }
    }),
  );
  await sleep(IDLE_BEFORE_BASELINE_MS);
  const baselineGc = await a.collectGarbage();
  const baseline = probeProcess(a.pid, a.port);
  const peaks = watchPeaks(a.pid, a.port);
  console.log(
    `baseline of A: ${baseline.rssMiB.toFixed(1)} MiB RSS, ${baseline.openFds} fds, ${baseline.connections} connections; load for ${options.durationS} s, ${options.concurrency} clients`,
  );

  const loadStarted = performance.now();
  const loadEnds = loadStarted + options.durationS * 1000;
  const worker = async (index: number): Promise<void> => {
    const rng = SeededRandom.derive(options.seed, index);
    // A steady instance that died ends the load at once (and the run, below), rather than spin.
    for (let n = 1; performance.now() < loadEnds && !a.exit; n += 1) {
      const name = rng.weighted(MIXED_WEIGHTS);
      // Drawn every time, so the sequence of choices does not depend on when B goes.
      const toB = rng.chance(0.5);
      const instance = toB && !b.going ? b : a;
      await run(name, MIXED_TRAFFIC[name].run, contextFor(rng, instance, `c${index}#${n}`));
    }
  };
  const sigterm = (async () => {
    await sleep(options.durationS * 1000 * options.sigtermAt - READERS_THROUGH_SIGTERM_LEAD_MS);
    const rng = SeededRandom.derive(options.seed, 200_000);
    const readers = Array.from({ length: READERS_THROUGH_SIGTERM }, (_, i) =>
      run('read-through-sigterm', readThroughSigterm, contextFor(rng, b, `sigterm#${i}`)),
    );
    await sleep(READERS_THROUGH_SIGTERM_LEAD_MS);
    const scenariosInFlight = inFlight.get('B') ?? 0;
    const sigtermAtS = (performance.now() - loadStarted) / 1000;
    console.log(`SIGTERM to B at ${sigtermAtS.toFixed(1)} s, ${scenariosInFlight} scenarios on it`);
    const sent = performance.now();
    const exit = await b.stop();
    const exitMs = Math.round((b.exitedAt ?? performance.now()) - sent);
    // The api logs how many generations its drain waited for (GenerationRegistry.drain).
    const draining = b.api.logs.find((line) => line.msg === 'draining');
    const generationsAtSigterm =
      typeof draining?.['generations'] === 'number' ? draining['generations'] : undefined;
    console.log(
      `B exited after ${exitMs} ms (${generationsAtSigterm ?? '?'} generations to drain): ${JSON.stringify(exit)}`,
    );
    await Promise.all(readers);
    return { sigtermAtS, scenariosInFlight, generationsAtSigterm, exitMs, exit };
  })();
  const progress = setInterval(() => {
    const s = ((performance.now() - loadStarted) / 1000).toFixed(0);
    console.log(
      `${s} s: ${outcomes.length} outcomes, in flight A ${inFlight.get('A') ?? 0} B ${inFlight.get('B') ?? 0}`,
    );
  }, 15_000);
  await Promise.all(Array.from({ length: options.concurrency }, (_, i) => worker(i)));
  clearInterval(progress);
  const stopped = await sigterm;
  if (a.exit) {
    throw new Error(`A exited during the load (${JSON.stringify(a.exit)}): ${a.api.stderr()}`);
  }
  const loadOver = performance.now();
  const afterLoad = probeProcess(a.pid, a.port);
  console.log(
    `load over after ${((loadOver - loadStarted) / 1000).toFixed(1)} s; waiting for the upstream and the settle time`,
  );

  const stats = await mock.waitUntilIdle(UPSTREAM_WAIT_MS);
  const upstream = {
    stats,
    runningAfterLoad: upstreamRunning(stats),
    waitedMs: Math.round(performance.now() - loadOver),
  };
  const activeStreamsAfterLoad = await activeStreams(a);
  await sleep(options.settleS * 1000 - (performance.now() - loadOver));
  const afterSettleGc = await a.collectGarbage();
  const afterSettle = probeProcess(a.pid, a.port);
  const peak = peaks.stop();

  const measurements: SoakMeasurements = {
    options,
    startedAt,
    machine: {
      cpus: cpus().length,
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
    },
    wallS: Math.round((performance.now() - started) / 1000),
    outcomes,
    steady: {
      heapUsedMiB: { baseline: baselineGc.heapUsedMiB, afterSettle: afterSettleGc.heapUsedMiB },
      baseline,
      peak,
      afterLoad,
      afterSettle,
      settleS: options.settleS,
      activeStreamsAfterLoad,
    },
    stopped: {
      ...stopped,
      boundMs: options.drainMs + SHUTDOWN_FLUSH_MS + SHUTDOWN_CLOSE_MS,
    },
    upstream,
  };
  return measurements;
}

async function main(): Promise<number> {
  let options: SoakOptions;
  try {
    options = parseSoakOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`soak: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  console.log(`soak: seed ${options.seed} (replay with --seed ${options.seed})`);
  // Everything below is bounded on its own; this bounds the whole, should a bound be missing.
  const boundS =
    120 +
    options.durationS +
    2 * options.streamTimeoutS +
    UPSTREAM_WAIT_MS / 1000 +
    options.settleS;
  const stops: (() => Promise<unknown>)[] = [];
  const kills: (() => void)[] = [];
  // The children are not detached: a harness that gives up must end them itself, by their ids.
  const giveUp = (why: string) => {
    console.error(`soak: ${why}; killing its processes`);
    for (const kill of kills) kill();
    process.exit(2);
  };
  const watchdog = setTimeout(() => giveUp(`not done after ${boundS} s`), boundS * 1000);
  process.once('SIGINT', () => giveUp('interrupted'));
  process.once('SIGTERM', () => giveUp('terminated'));
  try {
    const mock = await startMockUpstream();
    stops.push(() => mock.stop());
    kills.push(() => mock.kill());
    const longReplyBytes = options.longReplyKib * 1024;
    const env = apiEnvironment(options, mock.url, longReplyBytes);
    const instances: SoakInstance[] = [];
    for (const name of ['A', 'B']) {
      const instance = await SoakInstance.start(name, env);
      instances.push(instance);
      stops.unshift(() => instance.stop());
      kills.push(() => instance.api.child.kill('SIGKILL'));
    }
    const measurements = await soak(options, mock, instances);
    return writeReport(measurements) ? 0 : 1;
  } catch (error) {
    console.error('soak: the harness failed:', error);
    return 2;
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
    clearTimeout(watchdog);
  }
}

void main().then((code) => process.exit(code));
