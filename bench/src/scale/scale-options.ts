import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { TARGET_NAMES, type TargetName } from './scale-target';
import { SCENARIOS } from './scenarios';
import type { Scenario } from './scenario';

/** What one run of the scale benchmark measures. */
export interface ScaleOptions {
  scenario: Scenario;
  /** The targets, in the order they run (all of them unless `--targets` says). */
  targets: TargetName[];
  /** Where the JSON report goes, relative to the workspace root; under bench/results/ unless told. */
  out: string | undefined;
  /** `--ramp-s`, in ms: over how long the slow scenarios open their replies (2 s unless told). */
  rampMs: number | undefined;
  /** `--cpu-prof-dir`: each target runs under `node --cpu-prof` and writes its profile there on exit. */
  cpuProfDir: string | undefined;
  /** `--repeat`: how many times the targets are measured, interleaved (1 unless told). */
  repeat: number;
  /**
   * `--profile-split`: each target runs under `node --cpu-prof` (into `--cpu-prof-dir`, or a
   * temporary folder), and the report says where its CPU went in the measured window, per token.
   */
  profileSplit: boolean;
  /** `--api-env NAME=VALUE` (repeatable): api settings on top of the scenario's, to measure one. */
  apiEnv: Record<string, string>;
}

/** The most `--repeat` takes: each round is a whole run, minutes for the slow scenarios. */
const MAX_REPEAT = 10;

/** The longest ramp `--ramp-s` takes, so a typo cannot start an hour-long run. */
const MAX_RAMP_S = 60;

function isTargetName(name: string): name is TargetName {
  return (TARGET_NAMES as readonly string[]).includes(name);
}

/**
 * Reads `--scenario <name>` (required), `--targets a,b`, `--ramp-s <s>`, `--repeat <n>`, `--cpu-prof-dir <dir>`,
 * `--profile-split`, `--api-env NAME=VALUE` (repeatable) and `--out <file>`, as `--flag value` or
 * `--flag=value` (Nx forwards either); anything else throws with the list of what is known.
 */
export function parseScaleOptions(argv: readonly string[]): ScaleOptions {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== '--'),
    options: {
      scenario: { type: 'string' },
      targets: { type: 'string' },
      out: { type: 'string' },
      'ramp-s': { type: 'string' },
      'cpu-prof-dir': { type: 'string' },
      repeat: { type: 'string' },
      'profile-split': { type: 'boolean' },
      'api-env': { type: 'string', multiple: true },
    },
    strict: true,
  });
  const scenario = SCENARIOS.get(values.scenario ?? '');
  if (!scenario) {
    throw new Error(`--scenario must be one of ${[...SCENARIOS.keys()].join(', ')}`);
  }
  if (values['profile-split'] && !scenario.countsTokens) {
    throw new Error(
      `--profile-split reports per delivered token: --scenario ${scenario.name} counts none (use burst or slow-*)`,
    );
  }
  const targets = (values.targets ?? TARGET_NAMES.join(',')).split(',').map((name) => name.trim());
  const unknown = targets.find((name) => !isTargetName(name));
  if (unknown !== undefined) {
    throw new Error(`unknown target ${unknown}; targets: ${TARGET_NAMES.join(', ')}`);
  }
  const rampS = values['ramp-s'] === undefined ? undefined : Number(values['ramp-s']);
  if (rampS !== undefined && !(rampS >= 0 && rampS <= MAX_RAMP_S)) {
    throw new Error(`--ramp-s must be a number of seconds from 0 to ${MAX_RAMP_S}`);
  }
  const repeat = Number(values.repeat ?? 1);
  if (!(Number.isInteger(repeat) && repeat >= 1 && repeat <= MAX_REPEAT)) {
    throw new Error(`--repeat must be a whole number from 1 to ${MAX_REPEAT}`);
  }
  const apiEnv: Record<string, string> = {};
  for (const setting of values['api-env'] ?? []) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(setting);
    if (!match) throw new Error(`--api-env takes NAME=VALUE, not ${setting}`);
    apiEnv[match[1]] = match[2];
  }
  return {
    repeat,
    scenario,
    targets: TARGET_NAMES.filter((name) => targets.includes(name)),
    out: values.out,
    rampMs: rampS === undefined ? undefined : rampS * 1000,
    cpuProfDir: values['cpu-prof-dir'] && resolve(values['cpu-prof-dir']),
    profileSplit: values['profile-split'] ?? false,
    apiEnv,
  };
}
