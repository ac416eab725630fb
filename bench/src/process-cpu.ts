import { readdirSync, readFileSync } from 'node:fs';

/**
 * The CPU time process `pid` has used so far, in milliseconds: the scheduler's run time of each of
 * its threads (`/proc/<pid>/task/<tid>/schedstat`, nanoseconds; Linux), summed. Finer than
 * utime + stime (10 ms ticks) and it counts the GC and libuv threads too. A thread that ends
 * between two readings takes its time with it; Node's threads live as long as the process.
 */
export function cpuTimeMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return ns / 1e6;
}
