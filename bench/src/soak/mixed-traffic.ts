import type { Scenario } from './scenario-context';
import { cutAndResume } from './scenarios/cut-and-resume';
import { neverRead } from './scenarios/never-read';
import { readToEnd } from './scenarios/read-to-end';
import { stopMidStream } from './scenarios/stop-mid-stream';
import { upstreamFault } from './scenarios/upstream-fault';
import type { ScenarioName } from './stream-outcome';

/** The traffic a soak mixes, each kind with how often it is picked (out of 100). */
export const MIXED_TRAFFIC = {
  'read-to-end': { weight: 28, run: readToEnd },
  'cut-and-resume': { weight: 30, run: cutAndResume },
  stop: { weight: 12, run: stopMidStream },
  'never-read': { weight: 6, run: neverRead },
  'upstream-fault': { weight: 24, run: upstreamFault },
} as const satisfies Partial<Record<ScenarioName, { weight: number; run: Scenario }>>;

/** One kind of {@link MIXED_TRAFFIC}. */
export type MixedScenario = keyof typeof MIXED_TRAFFIC;

/** The weights alone, as `SeededRandom.weighted` takes them. */
export const MIXED_WEIGHTS = Object.fromEntries(
  Object.entries(MIXED_TRAFFIC).map(([name, { weight }]) => [name, weight]),
) as Record<MixedScenario, number>;

/** Run on each instance before the baseline is taken, so the baseline is of a warm process. */
export const WARM_UP: readonly MixedScenario[] = [
  'read-to-end',
  'read-to-end',
  'cut-and-resume',
  'cut-and-resume',
  'stop',
  'upstream-fault',
  'upstream-fault',
  'never-read',
];
