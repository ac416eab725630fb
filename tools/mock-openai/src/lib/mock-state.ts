import { applyMockOptions, type MockFault, type MockOptions } from './mock-options';
import { StatsTracker } from './mock-stats';

/** The mutable side of a running mock: current options, the fault budget and the counters. */
export class MockState {
  readonly stats = new StatsTracker();
  private current: MockOptions;
  // Counted from the last configure() of fault/faultCount, so each configure starts a fresh budget.
  private faultsUsed = 0;

  constructor(private readonly startOptions: Readonly<MockOptions>) {
    this.current = applyMockOptions(startOptions, {});
  }

  /** A copy of the current options; handlers take one per request so a configure() mid-stream cannot tear it. */
  options(): MockOptions {
    return applyMockOptions(this.current, {});
  }

  /** Validates and applies `patch`, returning the resulting options. */
  configure(patch: unknown): MockOptions {
    const next = applyMockOptions(this.current, patch);
    const changesFault =
      typeof patch === 'object' && patch !== null && ('fault' in patch || 'faultCount' in patch);
    this.current = next;
    if (changesFault) this.faultsUsed = 0;
    return this.options();
  }

  /** Options back to the start options, counters and fault budget to zero. */
  reset(): MockOptions {
    this.current = applyMockOptions(this.startOptions, {});
    this.faultsUsed = 0;
    this.stats.reset();
    return this.options();
  }

  /** The fault for the request being handled, consuming one unit of the budget when there is one. */
  takeFault(): MockFault {
    const { fault, faultCount } = this.current;
    if (fault === 'none' || this.faultsUsed >= faultCount) return 'none';
    this.faultsUsed += 1;
    this.stats.update((stats) => {
      stats.faultsInjected += 1;
    });
    return fault;
  }
}
