import type { ReplyOutcome, RunningReply } from './reply-client';

/** How often the ramp looks whether more replies are due. */
const RAMP_TICK_MS = 5;

/**
 * Opens `count` replies spread evenly over `rampMs` (all at once with 0) and resolves with their
 * outcomes, in order, once every one has settled; at `deadlineMs` after the first was opened,
 * those still open are abandoned (`unfinished`), and those not yet opened are not opened.
 */
export function runConcurrent(
  count: number,
  rampMs: number,
  deadlineMs: number,
  open: (index: number) => RunningReply,
): Promise<ReplyOutcome[]> {
  return new Promise((resolveAll) => {
    const started = performance.now();
    const outcomes: ReplyOutcome[] = new Array<ReplyOutcome>(count);
    const running: RunningReply[] = [];
    let settled = 0;
    const record = (index: number, outcome: ReplyOutcome): void => {
      outcomes[index] = outcome;
      settled += 1;
      if (settled < count) return;
      clearInterval(ramp);
      clearTimeout(deadline);
      resolveAll(outcomes);
    };
    const openDue = (): void => {
      const elapsed = performance.now() - started;
      const due =
        rampMs === 0 ? count : Math.min(count, Math.floor((elapsed / rampMs) * count) + 1);
      while (running.length < due) {
        const index = running.length;
        const reply = open(index);
        running.push(reply);
        void reply.outcome.then((outcome) => record(index, outcome));
      }
    };
    const ramp = setInterval(() => {
      openDue();
      if (running.length === count) clearInterval(ramp);
    }, RAMP_TICK_MS);
    const deadline = setTimeout(() => {
      clearInterval(ramp);
      for (const reply of running) reply.abandon();
      // Never opened: reported as unfinished too, so every run accounts for `count` replies.
      for (let index = running.length; index < count; index += 1) record(index, neverOpened());
    }, deadlineMs);
    openDue();
  });
}

/** Runs `count` replies one after the other; past `deadlineMs` overall, the rest are not run. */
export async function runSequential(
  count: number,
  deadlineMs: number,
  open: (index: number) => RunningReply,
): Promise<ReplyOutcome[]> {
  const started = performance.now();
  const outcomes: ReplyOutcome[] = [];
  for (let index = 0; index < count; index += 1) {
    const left = deadlineMs - (performance.now() - started);
    if (left <= 0) {
      outcomes.push(neverOpened());
      continue;
    }
    const reply = open(index);
    const timer = setTimeout(() => reply.abandon(), left);
    outcomes.push(await reply.outcome);
    clearTimeout(timer);
  }
  return outcomes;
}

function neverOpened(): ReplyOutcome {
  return {
    status: 'unfinished',
    tokens: 0,
    reads: 0,
    firstTokenMs: -1,
    settledAt: performance.now(),
    reason: 'not opened before the deadline',
  };
}
