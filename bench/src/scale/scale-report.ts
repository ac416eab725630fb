import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { Figures, Scenario } from './scenario';
import { API_ENV, TARGET_LABELS, type TargetName } from './scale-target';

const ROOT = resolve(__dirname, '../../..');

/** One target's figures in a scenario: the medians of its runs (see `medianFigures`), and each run's. */
export interface TargetResult {
  target: TargetName;
  figures: Figures;
  runs: Figures[];
}

/** Where and on what a run measured, for the README's tables. */
export interface RunContext {
  startedAt: string;
  /** `git rev-parse --short HEAD`. */
  commit: string;
  /** Files of apps/, libs/ and tools/ that differ from it (the mock runs from its source). */
  uncommitted: string[];
  /** When dist/apps/api/main.js was written: the api measured is that file, whatever HEAD says. */
  apiBuiltAt: string;
  node: string;
  cpus: number;
}

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
}

/** The commit, the api build and the machine of a run starting now. */
export function runContext(): RunContext {
  return {
    startedAt: new Date().toISOString(),
    commit: git('rev-parse', '--short', 'HEAD'),
    uncommitted: git('status', '--porcelain', '--', 'apps', 'libs', 'tools')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(3)),
    apiBuiltAt: statSync(resolve(ROOT, 'dist/apps/api/main.js')).mtime.toISOString(),
    node: process.version,
    cpus: cpus().length,
  };
}

/** The scenario's table: one row per figure, the targets side by side, the passthrough first. */
export function renderTable(scenario: Scenario, results: readonly TargetResult[]): string {
  const passthrough = results.find((r) => r.target === 'passthrough')?.figures;
  const lines = [
    `| ${scenario.name} | ${results.map((r) => TARGET_LABELS[r.target]).join(' | ')} |`,
    `| --- | ${results.map(() => '---').join(' | ')} |`,
    ...scenario.rows.map(
      (row) =>
        `| ${row.label} | ${results.map((r) => row.cell(r.figures, passthrough)).join(' | ')} |`,
    ),
  ];
  return lines.join('\n');
}

/** Writes the run as JSON to `out` or bench/results/scale-<scenario>-<start>.json; returns the path. */
export function writeReport(
  scenario: Scenario,
  context: RunContext,
  results: readonly TargetResult[],
  out: string | undefined,
  apiEnv: Record<string, string> = {},
): string {
  const stamp = context.startedAt.replace(/[:.]/g, '-');
  const path = resolve(ROOT, out ?? `bench/results/scale-${scenario.name}-${stamp}.json`);
  mkdirSync(dirname(path), { recursive: true });
  const report = {
    scenario: scenario.name,
    summary: scenario.summary,
    ...context,
    apiEnv: { ...API_ENV, ...scenario.apiEnv, ...apiEnv },
    results,
  };
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}
