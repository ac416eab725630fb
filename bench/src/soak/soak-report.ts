import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ProcessExit } from '@tokenstream/e2e-support';
import type { MockStats } from '@tokenstream/mock-openai';
import type { ProcessProbe } from './process-probe';
import type { SoakOptions } from './soak-options';
import { endLabel, type StreamOutcome } from './stream-outcome';

const ROOT = resolve(__dirname, '../../..');

/** Everything a soak run measured, as it goes into the JSON file. */
export interface SoakMeasurements {
  options: SoakOptions;
  startedAt: string;
  machine: { cpus: number; node: string; platform: string };
  wallS: number;
  outcomes: StreamOutcome[];
  /** The instance that stays: its process before, during (peak) and after the load. */
  steady: {
    /** V8's used heap right after a full GC (see gc-on-signal.cjs). */
    heapUsedMiB: { baseline: number; afterSettle: number };
    /** Probed right after a full GC; so is `afterSettle`. */
    baseline: ProcessProbe;
    peak: ProcessProbe;
    afterLoad: ProcessProbe;
    afterSettle: ProcessProbe;
    settleS: number;
    /** `activeStreams` of its /api/health once the load was over. */
    activeStreamsAfterLoad: number | undefined;
  };
  /** The instance that gets SIGTERM mid-soak. */
  stopped: {
    sigtermAtS: number;
    scenariosInFlight: number;
    /** Generations running when the drain began, from the api's `draining` log line. */
    generationsAtSigterm: number | undefined;
    exitMs: number | undefined;
    exit: ProcessExit | undefined;
    /** How long the api may take to exit: STREAM_DRAIN_MS, its 2 s flush, and 2 s to close. */
    boundMs: number;
  };
  upstream: { stats: MockStats; runningAfterLoad: number; waitedMs: number };
}

/** One checked rule of the soak: it fails the run when `ok` is false. */
export interface Invariant {
  name: string;
  ok: boolean;
  detail: string;
}

/** Occurrences of each key, sorted by key. */
function countBy<T>(
  items: readonly T[],
  key: (item: T) => string | undefined,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    if (k !== undefined) counts[k] = (counts[k] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function numberFact(outcome: StreamOutcome, name: string): number {
  const value = outcome.facts[name];
  return typeof value === 'number' ? value : 0;
}

/** The figures of a run, counted from its outcomes. */
export function tally(m: SoakMeasurements) {
  const started = m.outcomes.filter((o) => o.streamId !== undefined && !o.refused);
  const neverRead = m.outcomes.filter((o) => o.facts['neverReadReaders'] !== undefined);
  const stops = started.filter((o) => o.scenario === 'stop');
  return {
    streamsStarted: started.length,
    startedByInstance: countBy(started, (o) => o.instance),
    startedByScenario: countBy(started, (o) => o.scenario),
    refused: countBy(m.outcomes, (o) => (o.refused ? `${o.instance}: ${o.refused}` : undefined)),
    ends: countBy(started, (o) => (o.end ? endLabel(o.end) : 'none')),
    endsOnStoppedInstance: countBy(
      started.filter((o) => o.instance === 'B'),
      (o) => (o.end ? endLabel(o.end) : 'none'),
    ),
    text: countBy(started, (o) => o.text),
    lostOrRepeated: started.filter((o) => o.text === 'lost-or-repeated').length,
    neverEnded: started.filter((o) => o.end?.kind === 'never-ended').length,
    resumeFailed: started.filter((o) => o.end?.kind === 'resume-failed').length,
    connections: sum(started.map((o) => o.connections)),
    cutsByClient: sum(started.map((o) => o.cutsByClient)),
    droppedWithoutTerminal: countBy(
      started.filter((o) => o.droppedWithoutTerminal > 0),
      (o) => o.instance,
    ),
    violations: started.flatMap((o) => o.violations.map((v) => `${o.streamId}: ${v}`)),
    unexpected: m.outcomes.flatMap((o) =>
      o.unexpected.map((u) => `${o.scenario} ${o.instance} ${o.streamId ?? ''}: ${u}`),
    ),
    faults: countBy(
      started.filter((o) => o.scenario === 'upstream-fault'),
      (o) => `${String(o.facts['fault'])} → ${o.end ? endLabel(o.end) : 'none'}`,
    ),
    stops: countBy(stops, (o) => (o.end ? endLabel(o.end) : 'none')),
    neverRead: {
      runs: neverRead.length,
      readers: sum(neverRead.map((o) => numberFact(o, 'neverReadReaders'))),
      backpressured: sum(neverRead.map((o) => numberFact(o, 'neverReadBackpressured'))),
      closedByServer: sum(neverRead.map((o) => numberFact(o, 'neverReadClosedByServer'))),
      failed: sum(neverRead.map((o) => numberFact(o, 'neverReadFailed'))),
      maxQueuedKiB: Math.round(
        Math.max(0, ...neverRead.map((o) => numberFact(o, 'neverReadMaxQueuedBytes'))) / 1024,
      ),
    },
  };
}

/** How far above its baseline the steady instance's RSS may stay after the settle time. */
export function rssLimitMiB(baselineMiB: number): number {
  return baselineMiB + Math.max(64, baselineMiB * 0.5);
}

/** How far above its baseline the steady instance's heap (after a full GC) may stay. */
export function heapLimitMiB(baselineMiB: number): number {
  return baselineMiB + Math.max(16, baselineMiB * 0.25);
}

/** Open fds the steady instance may hold above its baseline after the settle time. */
export const FD_SLACK = 8;

/** The rules a soak must keep; any broken one makes it exit non-zero. */
export function invariants(m: SoakMeasurements, t: ReturnType<typeof tally>): Invariant[] {
  const { steady, stopped, upstream } = m;
  const rssLimit = rssLimitMiB(steady.baseline.rssMiB);
  const heapLimit = heapLimitMiB(steady.heapUsedMiB.baseline);
  return [
    { name: 'text lost or repeated', ok: t.lostOrRepeated === 0, detail: String(t.lostOrRepeated) },
    { name: 'streams that never ended', ok: t.neverEnded === 0, detail: String(t.neverEnded) },
    {
      name: 'resumes refused or unreachable',
      ok: t.resumeFailed === 0,
      detail: String(t.resumeFailed),
    },
    {
      name: 'protocol violations',
      ok: t.violations.length === 0,
      detail: String(t.violations.length),
    },
    {
      name: 'outcomes other than the scenario expects',
      ok: t.unexpected.length === 0,
      detail: String(t.unexpected.length),
    },
    {
      name: 'upstream requests left running after the load',
      ok: upstream.runningAfterLoad === 0,
      detail: `${upstream.runningAfterLoad} (after ${upstream.waitedMs} ms)`,
    },
    {
      name: 'generations left running after the load (health activeStreams)',
      ok: steady.activeStreamsAfterLoad === 0,
      detail: String(steady.activeStreamsAfterLoad),
    },
    {
      name: 'stopped instance exits in time after SIGTERM',
      ok: stopped.exitMs !== undefined && stopped.exitMs <= stopped.boundMs,
      detail: `${stopped.exitMs ?? '-'} ms (bound ${stopped.boundMs} ms), ${JSON.stringify(stopped.exit)}`,
    },
    {
      name: 'RSS back near the baseline (after a full GC)',
      ok: steady.afterSettle.rssMiB <= rssLimit,
      detail: `${steady.afterSettle.rssMiB.toFixed(1)} MiB (limit ${rssLimit.toFixed(1)})`,
    },
    {
      name: 'V8 heap back near the baseline (after a full GC)',
      ok: steady.heapUsedMiB.afterSettle <= heapLimit,
      detail: `${steady.heapUsedMiB.afterSettle.toFixed(1)} MiB (limit ${heapLimit.toFixed(1)})`,
    },
    {
      name: 'open fds back to the baseline',
      ok: steady.afterSettle.openFds <= steady.baseline.openFds + FD_SLACK,
      detail: `${steady.afterSettle.openFds} (baseline ${steady.baseline.openFds} + ${FD_SLACK})`,
    },
  ];
}

function line(cells: readonly (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

function counts(record: Record<string, number>): string {
  const entries = Object.entries(record);
  return entries.length === 0 ? '0' : entries.map(([k, v]) => `${k}: ${v}`).join(', ');
}

/** The run as a Markdown table, the form the README keeps. */
export function reportTable(m: SoakMeasurements, t: ReturnType<typeof tally>): string {
  const { steady, stopped, upstream } = m;
  const rows: (string | number)[][] = [
    ['streams started', `${t.streamsStarted} (${counts(t.startedByInstance)})`],
    ['… by scenario', counts(t.startedByScenario)],
    ['refused before the stream opened', counts(t.refused)],
    ['ended by', counts(t.ends)],
    ['… on the SIGTERMed instance B', counts(t.endsOnStoppedInstance)],
    [
      'text exact / prefix / lost or repeated',
      `${t.text['exact'] ?? 0} / ${t.text['prefix'] ?? 0} / ${t.lostOrRepeated}`,
    ],
    ['never ended', t.neverEnded],
    ['connections (cut by the client)', `${t.connections} (${t.cutsByClient})`],
    ['streams with a connection ended without a terminal frame', counts(t.droppedWithoutTerminal)],
    ['stops (DELETE mid-stream)', counts(t.stops)],
    ['upstream faults → end', counts(t.faults)],
    [
      'never-reading readers (backpressured / closed by the api)',
      `${t.neverRead.readers} on ${t.neverRead.runs} long replies (${t.neverRead.backpressured} / ${t.neverRead.closedByServer}), kernel held ≤ ${t.neverRead.maxQueuedKiB} KiB each`,
    ],
    [
      'protocol violations / unexpected outcomes',
      `${t.violations.length} / ${t.unexpected.length}`,
    ],
    [
      'A: RSS MiB baseline / peak / after load / after settle',
      `${[steady.baseline, steady.peak, steady.afterLoad, steady.afterSettle].map((x) => x.rssMiB.toFixed(1)).join(' / ')}`,
    ],
    [
      'A: V8 heap used after a full GC, baseline / after settle (MiB)',
      `${steady.heapUsedMiB.baseline.toFixed(1)} / ${steady.heapUsedMiB.afterSettle.toFixed(1)}`,
    ],
    [
      'A: open fds baseline / peak / after load / after settle',
      [steady.baseline, steady.peak, steady.afterLoad, steady.afterSettle]
        .map((x) => x.openFds)
        .join(' / '),
    ],
    [
      'A: TCP connections on its port, same',
      [steady.baseline, steady.peak, steady.afterLoad, steady.afterSettle]
        .map((x) => x.connections)
        .join(' / '),
    ],
    ['A: generations running after the load', String(steady.activeStreamsAfterLoad)],
    [
      'upstream requests / completed / aborted / faulted',
      `${upstream.stats.requests} / ${upstream.stats.streamsCompleted} / ${upstream.stats.streamsAborted} / ${upstream.stats.streamsFaulted} (answered with an error status: ${upstream.stats.requests - upstream.stats.streamsStarted})`,
    ],
    ['upstream streams left running after the load', upstream.runningAfterLoad],
    [
      'B: SIGTERM at / in flight / exit after',
      `${stopped.sigtermAtS.toFixed(1)} s / ${stopped.scenariosInFlight} scenarios, ${stopped.generationsAtSigterm ?? '?'} generations / ${stopped.exitMs ?? '-'} ms (STREAM_DRAIN_MS ${m.options.drainMs}, bound ${stopped.boundMs})`,
    ],
  ];
  return [line(['measure', 'value']), line(['---', '---']), ...rows.map(line)].join('\n');
}

/**
 * Prints the table and the checks, writes them with the tally and the failing streams' outcomes
 * (the first 100) to `--out` or `bench/results/soak-<start>.json`, and says whether every check held.
 */
export function writeReport(m: SoakMeasurements): boolean {
  const t = tally(m);
  const checks = invariants(m, t);
  const table = reportTable(m, t);
  console.log(
    `\nsoak, seed ${m.options.seed}: ${m.options.durationS} s, ${m.options.concurrency} clients, ${m.machine.cpus} cores, node ${m.machine.node}\n`,
  );
  console.log(table);
  console.log('');
  for (const check of checks)
    console.log(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`);
  const notes = [...t.violations, ...t.unexpected];
  if (notes.length > 0) {
    console.log(`\nfirst of ${notes.length} problems:`);
    for (const note of notes.slice(0, 20)) console.log(`  ${note}`);
  }
  const stamp = m.startedAt.replace(/[:.]/g, '-');
  const out = resolve(ROOT, m.options.out ?? `bench/results/soak-${stamp}.json`);
  mkdirSync(dirname(out), { recursive: true });
  const failures = m.outcomes.filter(
    (o) =>
      o.violations.length > 0 ||
      o.unexpected.length > 0 ||
      o.text === 'lost-or-repeated' ||
      o.end?.kind === 'never-ended',
  );
  // Every outcome would make a file of megabytes; the tally counts them, the failures are kept.
  const kept = { ...m, outcomes: undefined, tally: t, invariants: checks, table };
  writeFileSync(out, `${JSON.stringify({ ...kept, failures: failures.slice(0, 100) }, null, 2)}\n`);
  console.log(`\nreport: ${out}`);
  return checks.every((check) => check.ok);
}
