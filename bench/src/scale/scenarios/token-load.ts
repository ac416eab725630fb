import { availableParallelism } from 'node:os';
import type { ResourceUse } from '../resource-window';
import type { OutcomeSummary } from '../outcome-summary';
import { outOfRow, plainRow, ratioRow } from '../report-rows';
import type { Figures, ReportRow } from '../scenario';

/** The figures of a scenario that streams many tokens: what each costs, and what it took. */
export function tokenLoadFigures(
  replies: number,
  summary: OutcomeSummary,
  use: ResourceUse,
): Figures {
  const percentOfCore = (ms: number) => (100 * ms) / use.wallMs;
  return {
    replies,
    completed: summary.completed,
    tokens: summary.tokens,
    cpuPerTokenUs: (1000 * use.serverCpuMs) / summary.tokens,
    redisCpuPerTokenUs: (1000 * use.redisCpuMs) / summary.tokens,
    redisPeakRssMiB: use.redisPeakRssMiB,
    serverCpuPercent: percentOfCore(use.serverCpuMs),
    serverRssMiB: use.serverRssMiB,
    serverPeakRssMiB: use.serverPeakRssMiB,
    tokensPerRead: summary.tokensPerRead,
    firstTokenP99Ms: summary.firstTokenP99Ms,
    listenOverflows: use.listenOverflows,
    upstreamCpuPercent: percentOfCore(use.upstreamCpuMs),
    loadCpuPercent: percentOfCore(use.loadCpuMs),
    machinePercent:
      percentOfCore(use.serverCpuMs + use.upstreamCpuMs + use.loadCpuMs) / availableParallelism(),
    wallS: use.wallMs / 1000,
    failures: summary.failures,
  };
}

/** The rows every token-streaming scenario shows, around its own (`middle`). */
export function tokenLoadRows(middle: readonly ReportRow[] = []): ReportRow[] {
  return [
    outOfRow('replies completed (every token, then the end)', 'completed', 'replies'),
    ratioRow('server CPU per token, µs (× the passthrough)', 'cpuPerTokenUs'),
    plainRow('server CPU, % of one core', 'serverCpuPercent', 0),
    ratioRow('server RSS peak, MiB (× the passthrough)', 'serverPeakRssMiB', 0),
    plainRow('server RSS before, MiB', 'serverRssMiB', 0),
    plainRow('its Redis: CPU per token, µs', 'redisCpuPerTokenUs'),
    plainRow('its Redis: RSS peak, MiB', 'redisPeakRssMiB', 0),
    ...middle,
    plainRow('time to first token p99, ms', 'firstTokenP99Ms', 0),
    plainRow('connections refused by a full accept queue (kernel)', 'listenOverflows', 0),
    plainRow('tokens per client read', 'tokensPerRead', 2),
    plainRow('upstream (mock) CPU, % of one core', 'upstreamCpuPercent', 0),
    plainRow('load generator CPU, % of one core', 'loadCpuPercent', 0),
    plainRow('server, upstream and load together, % of all the cores', 'machinePercent', 0),
    plainRow('wall time, s', 'wallS', 1),
    plainRow('failures', 'failures'),
  ];
}
