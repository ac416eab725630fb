import { burst } from './scenarios/burst';
import { firstToken } from './scenarios/first-token';
import { leave } from './scenarios/leave';
import { retain } from './scenarios/retain';
import { slowReplies } from './scenarios/slow-replies';
import { startCost } from './scenarios/start-cost';
import type { Scenario } from './scenario';

/** Every scenario, by the name `--scenario` takes. */
export const SCENARIOS: ReadonlyMap<string, Scenario> = new Map(
  [
    firstToken,
    burst,
    slowReplies(1_000),
    slowReplies(2_000),
    slowReplies(5_000),
    startCost,
    leave,
    retain,
  ].map((scenario) => [scenario.name, scenario]),
);
