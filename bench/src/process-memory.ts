import { readFileSync } from 'node:fs';

/** The resident set size of process `pid` in MiB, from /proc (Linux). */
export function residentMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kib / 1024;
}

/** Samples a process's RSS every `intervalMs` until stopped; reports the peak. */
export function watchPeakRss(pid: number, intervalMs = 50): { stop(): number } {
  let peak = residentMiB(pid);
  const timer = setInterval(() => (peak = Math.max(peak, residentMiB(pid))), intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, residentMiB(pid));
    },
  };
}
