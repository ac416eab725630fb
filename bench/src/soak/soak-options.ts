import { randomInt } from 'node:crypto';

/** What a soak run does and how long it may take; every field has a command-line flag. */
export interface SoakOptions {
  /** `--duration-s`: how long new traffic is started. */
  durationS: number;
  /** `--concurrency`: clients running a scenario at once. */
  concurrency: number;
  /** `--seed`: the PRNG seed; random (and printed) unless given. */
  seed: number;
  /** `--sigterm-at`: when the second instance gets SIGTERM, as a fraction of the duration. */
  sigtermAt: number;
  /** `--drain-ms`: the api's STREAM_DRAIN_MS. */
  drainMs: number;
  /** `--grace-ms`: the api's STREAM_RESUME_GRACE_MS. */
  graceMs: number;
  /** `--retention-ms`: the api's STREAM_RETENTION_MS. */
  retentionMs: number;
  /** `--settle-s`: how long to wait after the load before the last memory and handle counts. */
  settleS: number;
  /** `--stream-timeout-s`: how long one stream may take to reach its terminal frame, resumes included. */
  streamTimeoutS: number;
  /** `--long-reply-kib`: the size of the long reply the never-reading readers are pointed at. */
  longReplyKib: number;
  /** `--out`: where the JSON report goes (relative to the workspace root). */
  out: string | undefined;
}

/** How often the api's memory store sweeps out streams past their retention. */
const STORE_SWEEP_MS = 10_000;

const DEFAULTS: Omit<SoakOptions, 'seed' | 'out'> = {
  durationS: 120,
  concurrency: 24,
  sigtermAt: 0.5,
  drainMs: 1_500,
  graceMs: 2_000,
  retentionMs: 15_000,
  settleS: 30,
  streamTimeoutS: 30,
  longReplyKib: 6_144,
};

/** Upper bounds, so a typo cannot start an hour-long run. */
const LIMITS: Partial<Record<keyof SoakOptions, [number, number]>> = {
  durationS: [5, 1_800],
  concurrency: [1, 200],
  sigtermAt: [0.05, 0.95],
  drainMs: [0, 30_000],
  graceMs: [100, 60_000],
  retentionMs: [1_000, 120_000],
  settleS: [11, 300],
  streamTimeoutS: [5, 300],
  longReplyKib: [64, 16_384],
};

const FLAGS: Record<string, keyof SoakOptions> = {
  'duration-s': 'durationS',
  concurrency: 'concurrency',
  seed: 'seed',
  'sigterm-at': 'sigtermAt',
  'drain-ms': 'drainMs',
  'grace-ms': 'graceMs',
  'retention-ms': 'retentionMs',
  'settle-s': 'settleS',
  'stream-timeout-s': 'streamTimeoutS',
  'long-reply-kib': 'longReplyKib',
  out: 'out',
};

/**
 * Reads `--name value` and `--name=value` (Nx forwards either form); an unknown flag or a value out
 * of range throws with one line saying which.
 */
export function parseSoakOptions(argv: readonly string[]): SoakOptions {
  const options: SoakOptions = { ...DEFAULTS, seed: randomInt(2 ** 31), out: undefined };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--') continue;
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const key = match && Object.hasOwn(FLAGS, match[1]) ? FLAGS[match[1]] : undefined;
    if (!match || !key) {
      throw new Error(
        `unknown argument ${arg}; flags: ${Object.keys(FLAGS)
          .map((f) => `--${f}`)
          .join(' ')}`,
      );
    }
    const raw = match[2] ?? argv[(i += 1)];
    if (raw === undefined) throw new Error(`--${match[1]} needs a value`);
    if (key === 'out') {
      options.out = raw;
      continue;
    }
    const value = Number(raw);
    const [min, max] = LIMITS[key] ?? [0, 2 ** 32 - 1];
    const whole = key !== 'sigtermAt';
    if (
      !Number.isFinite(value) ||
      value < min ||
      value > max ||
      (whole && !Number.isInteger(value))
    ) {
      throw new Error(
        `--${match[1]} must be ${whole ? 'a whole number' : 'a number'} from ${min} to ${max}, not ${raw}`,
      );
    }
    options[key] = value;
  }
  // Finished streams leave the api's store after the retention, at its next sweep (every 10 s):
  // memory measured before then would count them.
  if (options.settleS * 1000 < options.retentionMs + STORE_SWEEP_MS) {
    throw new Error(
      `--settle-s must be at least the retention plus the store's ${STORE_SWEEP_MS / 1000} s sweep (${(options.retentionMs + STORE_SWEEP_MS) / 1000})`,
    );
  }
  return options;
}
