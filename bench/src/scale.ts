/**
 * What one instance carries at a company's scale, measured side by side with a plain passthrough
 * and the naive SDK loop: one scenario a run, each target alone in its own process, in front of
 * its own fake upstream. See bench/README.md, "Production scale: thousands of slow replies".
 *
 *   npx nx scale bench --scenario slow-2000 [--targets passthrough,api] [--ramp-s 20] [--repeat 3] [--cpu-prof-dir /tmp/prof] [--profile-split] [--out file.json]
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockUpstream } from './soak/mock-upstream';
import { openReply, replyText } from './scale/reply-client';
import { runConcurrent } from './scale/run-replies';
import { parseScaleOptions } from './scale/scale-options';
import { renderTable, runContext, writeReport, type TargetResult } from './scale/scale-report';
import { medianFigures } from './scale/median-figures';
import { monotonicUs, profileSplitFigures, readProfiles, systemCpuMs } from './scale/profile-split';
import { renderProfileSplit } from './scale/profile-split-table';
import type { Figures } from './scale/scenario';
import {
  startTarget,
  TARGET_LABELS,
  type ScaleTarget,
  type TargetName,
} from './scale/scale-target';

/** Warm-up before each measurement, so the JIT has compiled the path a reply takes. */
const WARMUP_REPLIES = 40;
const WARMUP_TOKENS = 20;
const WARMUP_RAMP_MS = 1_000;
const WARMUP_DEADLINE_MS = 30_000;
/** Open files per reply in the busiest process (the server: its client's and its upstream's). */
const FILES_PER_REPLY = 2;
const SPARE_FILES = 256;
/** The whole run's bound, per round: past it, everything started is killed and the run fails. */
const RUN_BOUND_MS = 15 * 60_000;

/** Node raises its soft limit to the hard one at start; the servers inherit it. */
function checkOpenFiles(concurrency: number): void {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const soft = Number(/^Max open files\s+(\d+)/m.exec(limits)?.[1] ?? Infinity);
  const needed = concurrency * FILES_PER_REPLY + SPARE_FILES;
  if (soft < needed) {
    throw new Error(`${needed} open files needed, ${soft} allowed: raise it (ulimit -n ${needed})`);
  }
}

async function warmUp(target: ScaleTarget): Promise<void> {
  await runConcurrent(WARMUP_REPLIES, WARMUP_RAMP_MS, WARMUP_DEADLINE_MS, () =>
    openReply(target.request(WARMUP_TOKENS)),
  );
}

async function main(): Promise<void> {
  const { scenario, targets, out, rampMs, cpuProfDir, repeat, profileSplit, apiEnv } =
    parseScaleOptions(process.argv.slice(2));
  // Each target's profile in a folder of its own, so it is known whose it is.
  const profiles = profileSplit
    ? (cpuProfDir ?? mkdtempSync(join(tmpdir(), 'scale-prof-')))
    : cpuProfDir;
  checkOpenFiles(scenario.concurrency);
  const context = runContext();
  const kills = new Set<() => void>();
  setTimeout(() => {
    console.error(`scale: the run passed its bound of ${(RUN_BOUND_MS * repeat) / 60_000} min`);
    for (const kill of kills) kill();
    process.exit(2);
  }, RUN_BOUND_MS * repeat).unref();

  // Interleaved (all targets, then all again), so the machine's slow minutes fall on every target.
  const runs = new Map<TargetName, Figures[]>(targets.map((name) => [name, []]));
  for (let round = 1; round <= repeat; round += 1) {
    for (const name of targets) {
      const upstream = await startMockUpstream();
      kills.add(upstream.kill);
      try {
        await upstream.configure({
          reply: replyText(WARMUP_TOKENS),
          chunks: WARMUP_TOKENS,
          chunkDelayMs: 0,
        });
        const profileDir = profileSplit && profiles ? join(profiles, `${name}-${round}`) : profiles;
        if (profileDir) mkdirSync(profileDir, { recursive: true });
        const target = await startTarget(
          name,
          upstream.url,
          { ...scenario.apiEnv, ...apiEnv },
          profileDir,
        );
        let measured:
          | { figures: Figures; window: { startUs: number; endUs: number }; systemMs: number }
          | undefined;
        kills.add(target.kill);
        try {
          await warmUp(target);
          await upstream.configure(scenario.upstream);
          const of = repeat > 1 ? ` (run ${round} of ${repeat})` : '';
          console.error(`scale: ${scenario.name}: measuring the ${TARGET_LABELS[name]}${of}…`);
          const systemBefore = sum(target.pids.map(systemCpuMs));
          const startUs = monotonicUs();
          const figures = await scenario.measure({ target, upstream, rampMs });
          const window = { startUs, endUs: monotonicUs() };
          measured = {
            figures,
            window,
            systemMs: sum(target.pids.map(systemCpuMs)) - systemBefore,
          };
          runs.get(name)?.push(figures);
        } finally {
          await target.stop();
          kills.delete(target.kill);
        }
        // The profiles are written as the target exits; the window leaves out its start and warm-up.
        if (profileSplit && profileDir && measured) {
          const tokens = Number(measured.figures['tokens']);
          Object.assign(
            measured.figures,
            profileSplitFigures(
              readProfiles(profileDir),
              measured.window,
              measured.systemMs,
              tokens,
            ),
          );
        }
      } finally {
        await upstream.stop();
        kills.delete(upstream.kill);
      }
    }
  }
  const results: TargetResult[] = targets.map((name) => {
    const targetRuns = runs.get(name) ?? [];
    return { target: name, figures: medianFigures(targetRuns), runs: targetRuns };
  });
  const path = writeReport(scenario, context, results, out, apiEnv);
  const medians = repeat > 1 ? ` Medians of ${repeat} runs, interleaved.` : '';
  console.log(`\n${scenario.summary}.${medians}`);
  console.log(
    `${context.startedAt.slice(0, 10)}, ${context.cpus} cores, Node ${context.node}, commit ${context.commit}` +
      ` (${context.uncommitted.length} files of apps/, libs/, tools/ changed since), api built ${context.apiBuiltAt}\n`,
  );
  console.log(renderTable(scenario, results));
  if (profileSplit) console.log(`\n${renderProfileSplit(scenario, results)}`);
  console.log(`\n(written to ${path})`);
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
