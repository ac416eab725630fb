import { cpuTimeMs } from '../process-cpu';
import { residentMiB, watchPeakRss } from '../process-memory';
import { listenOverflows } from './listen-overflows';

/** What the three processes used between `watchResources` and `close`. */
export interface ResourceUse {
  wallMs: number;
  /** CPU time of the server under test, ms. */
  serverCpuMs: number;
  /** CPU time of the fake upstream, ms: near a whole core, it paced the replies, not the server. */
  upstreamCpuMs: number;
  /** CPU time of this load generator, ms: the same check for the client side. */
  loadCpuMs: number;
  /** The server's RSS when the window opened, and its peak (sampled every 50 ms), MiB. */
  serverRssMiB: number;
  serverPeakRssMiB: number;
  /** Connections the kernel turned away with a full accept queue (any listener; here, the server). */
  listenOverflows: number;
  /** The CPU time and RSS peak of the server's Redis, when it has one (NaN otherwise). */
  redisCpuMs: number;
  redisPeakRssMiB: number;
}

/**
 * Starts counting the CPU of the server (all its processes), the upstream and this process, and
 * the server's memory; with `redisPid`, its Redis's too.
 */
export function watchResources(
  serverPids: readonly number[],
  upstreamPid: number,
  redisPid?: number,
): { close(): ResourceUse } {
  const started = performance.now();
  const serverCpu = () => serverPids.reduce((sum, pid) => sum + cpuTimeMs(pid), 0);
  const server = serverCpu();
  const upstream = cpuTimeMs(upstreamPid);
  const load = cpuTimeMs(process.pid);
  const serverRssMiB = serverPids.reduce((sum, pid) => sum + residentMiB(pid), 0);
  // With several instances, the sum of each one's peak.
  const peaks = serverPids.map((pid) => watchPeakRss(pid));
  const overflows = listenOverflows();
  const redis = redisPid === undefined ? undefined : cpuTimeMs(redisPid);
  const redisPeak = redisPid === undefined ? undefined : watchPeakRss(redisPid);
  return {
    close: () => ({
      wallMs: performance.now() - started,
      serverCpuMs: serverCpu() - server,
      upstreamCpuMs: cpuTimeMs(upstreamPid) - upstream,
      loadCpuMs: cpuTimeMs(process.pid) - load,
      serverRssMiB,
      serverPeakRssMiB: peaks.reduce((sum, peak) => sum + peak.stop(), 0),
      listenOverflows: listenOverflows() - overflows,
      redisCpuMs: redisPid === undefined ? NaN : cpuTimeMs(redisPid) - (redis ?? 0),
      redisPeakRssMiB: redisPeak?.stop() ?? NaN,
    }),
  };
}
