import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A V8 CPU profile as `node --cpu-prof` writes it (times in µs, V8's monotonic clock). */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a server's CPU goes, by kind of code: what `--profile-split` reports per token. */
export const SPLIT_CATEGORIES = [
  'ours',
  'node',
  'promiseHooks',
  'microtasks',
  'dependencies',
  'builtins',
  'socketWrites',
  'gc',
  'unattributed',
] as const;
export type SplitCategory = (typeof SPLIT_CATEGORIES)[number];

/** Each category's label in the report, as issue 24's table names them. */
export const SPLIT_LABELS: Readonly<Record<SplitCategory, string>> = {
  ours: 'JavaScript: our code (the api bundle, or the passthrough file)',
  node: "JavaScript: Node's own (http, streams, net, events)",
  promiseHooks: 'promise hooks (async_hooks, AsyncLocalStorage)',
  microtasks: 'microtasks (the queue itself)',
  dependencies: 'dependencies (node_modules)',
  builtins: "V8's built-ins and Node's other native calls (Promise, JSON, …)",
  socketWrites: "socket writes: Node's native write calls, their syscalls included",
  gc: 'garbage collection',
  unattributed: 'V8 and native, unattributed ("(program)")',
};

/**
 * "JavaScript in all", as issue 24 counts it: the code of files (ours, Node's, the dependencies')
 * and the promise machinery. V8's built-ins (no file: `Promise`, `JSON`, array methods) are shown
 * apart, as that table did not count them.
 */
export const JAVASCRIPT: readonly SplitCategory[] = [
  'ours',
  'node',
  'promiseHooks',
  'microtasks',
  'dependencies',
];

/** A window of V8's monotonic clock, in µs: `process.hrtime` reads the same clock. */
export interface ClockWindow {
  startUs: number;
  endUs: number;
}

/** Now on the clock V8's profiles use (CLOCK_MONOTONIC), in µs. */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * Node's native calls that write to a socket (`StreamBase`): a sample in one is mostly the
 * `writev`/`write` syscall, the kernel's share of a token that issue 24 counted with strace.
 */
const NATIVE_WRITES = new Set([
  'writev',
  'writeBuffer',
  'writeUtf8String',
  'writeLatin1String',
  'writeAsciiString',
  'writeUcs2String',
]);

/** Which category a sampled function falls in, by where it lives. */
function categoryOf(
  { functionName, url }: { functionName: string; url: string },
  isOurs: (url: string) => boolean,
): SplitCategory | undefined {
  if (functionName === '(idle)' || functionName === '(root)') return undefined;
  if (functionName === '(garbage collector)') return 'gc';
  if (functionName === '(program)') return 'unattributed';
  if (url === '' && NATIVE_WRITES.has(functionName)) return 'socketWrites';
  if (url.includes('/node_modules/')) return 'dependencies';
  if (isOurs(url)) return 'ours';
  if (/^node:(internal\/)?async_hooks|^node:internal\/async_local_storage/.test(url)) {
    return 'promiseHooks';
  }
  if (functionName === 'runMicrotasks' || url === 'node:internal/process/task_queues') {
    return 'microtasks';
  }
  if (url.startsWith('node:')) return 'node';
  return 'builtins';
}

/**
 * The self time of the samples taken within `window`, in ms per category: each sample is charged
 * to the function on top of the stack when it was taken, for the time until the next sample.
 */
export function splitProfile(
  profile: CpuProfile,
  window: ClockWindow,
  isOurs: (url: string) => boolean,
): Record<SplitCategory, number> {
  const categories = new Map<number, SplitCategory | undefined>(
    profile.nodes.map((node) => [node.id, categoryOf(node.callFrame, isOurs)]),
  );
  const totals = Object.fromEntries(SPLIT_CATEGORIES.map((name) => [name, 0])) as Record<
    SplitCategory,
    number
  >;
  let at = profile.startTime;
  for (let index = 0; index < profile.samples.length; index += 1) {
    at += profile.timeDeltas[index];
    const next = at + (profile.timeDeltas[index + 1] ?? 0);
    if (at < window.startUs || at >= window.endUs) continue;
    const category = categories.get(profile.samples[index]);
    if (category) totals[category] += (next - at) / 1000;
  }
  return totals;
}

/** The profiles a target's processes wrote into `dir` (each target gets a folder of its own). */
export function readProfiles(dir: string): CpuProfile[] {
  const files = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`${dir}: no .cpuprofile was written`);
  return files.map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as CpuProfile);
}

/** Files whose code is the server's own: the api's bundle, or a bench server's one file. */
export function isServerCode(url: string): boolean {
  return /dist\/apps\/api\/main\.js$|bench\/src\/[\w-]+\.cjs$/.test(url);
}

/**
 * A target's figures of where its CPU went in `window`, in µs per delivered token: each
 * category, JavaScript in all, and the kernel's share (`systemMs`, from /proc).
 */
export function profileSplitFigures(
  profiles: readonly CpuProfile[],
  window: ClockWindow,
  systemMs: number,
  tokens: number,
): Record<string, number> {
  const perToken = (ms: number) => (1000 * ms) / tokens;
  const figures: Record<string, number> = { splitKernel: perToken(systemMs) };
  let javascript = 0;
  for (const category of SPLIT_CATEGORIES) {
    const ms = profiles.reduce(
      (sum, profile) => sum + splitProfile(profile, window, isServerCode)[category],
      0,
    );
    figures[splitKey(category)] = perToken(ms);
    if (JAVASCRIPT.includes(category)) javascript += ms;
  }
  figures['splitJavascript'] = perToken(javascript);
  return figures;
}

/** The figure's name for a category: `splitOurs`, `splitNode`, … */
export function splitKey(category: SplitCategory): string {
  return `split${category[0].toUpperCase()}${category.slice(1)}`;
}

/** The system CPU time `pid` has used so far, in ms (`/proc/<pid>/stat`'s stime, 10 ms ticks). */
export function systemCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const CLOCK_TICKS_PER_S = 100;
  return (Number(fields[12]) * 1000) / CLOCK_TICKS_PER_S;
}
