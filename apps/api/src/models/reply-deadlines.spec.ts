import { ReplyDeadlines } from './reply-deadlines';
import type { UpstreamTimeoutError } from './upstream-timeout-error';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the clocks and records which limit passed, and when. */
function startClocks(limits: {
  firstTokenTimeoutMs: number;
  idleTimeoutMs: number;
  totalTimeoutMs: number;
}) {
  const started = performance.now();
  const expirations: { timeout: UpstreamTimeoutError; at: number }[] = [];
  const deadlines = new ReplyDeadlines(limits, (timeout) =>
    expirations.push({ timeout, at: performance.now() - started }),
  );
  return { deadlines, expirations };
}

describe('ReplyDeadlines', () => {
  let clear: (() => void) | undefined;
  afterEach(() => clear?.());

  it('expires with first-token when no text arrives in time, once', async () => {
    const { deadlines, expirations } = startClocks({
      firstTokenTimeoutMs: 50,
      idleTimeoutMs: 20,
      totalTimeoutMs: 100,
    });
    clear = () => deadlines.clear();
    await sleep(200);
    expect(expirations.map(({ timeout }) => timeout.kind)).toEqual(['first-token']);
    expect(expirations[0].at).toBeGreaterThanOrEqual(45);
    expect(deadlines.expired).toBe(expirations[0].timeout);
    expect(deadlines.expired?.limitMs).toBe(50);
  });

  it('stops the first-token clock at the first text and then limits silence between texts', async () => {
    const { deadlines, expirations } = startClocks({
      firstTokenTimeoutMs: 150,
      idleTimeoutMs: 300,
      totalTimeoutMs: 5000,
    });
    clear = () => deadlines.clear();
    // Text every 60 ms for 300 ms: past the first-token limit, but never silent for 300 ms.
    for (let sent = 0; sent < 5; sent += 1) {
      deadlines.textArrived();
      await sleep(60);
    }
    expect(expirations).toEqual([]);
    await sleep(500);
    expect(expirations.map(({ timeout }) => timeout.kind)).toEqual(['idle']);
    // Counted from the last text (about 240 ms in), not from the first.
    expect(expirations[0].at).toBeGreaterThanOrEqual(520);
  });

  it('expires with total when the reply as a whole takes too long', async () => {
    const { deadlines, expirations } = startClocks({
      firstTokenTimeoutMs: 5000,
      idleTimeoutMs: 5000,
      totalTimeoutMs: 60,
    });
    clear = () => deadlines.clear();
    deadlines.textArrived();
    await sleep(150);
    expect(expirations.map(({ timeout }) => timeout.kind)).toEqual(['total']);
  });

  it('fires nothing once cleared, even when text arrives afterwards', async () => {
    const { deadlines, expirations } = startClocks({
      firstTokenTimeoutMs: 30,
      idleTimeoutMs: 30,
      totalTimeoutMs: 30,
    });
    deadlines.clear();
    deadlines.textArrived();
    await sleep(120);
    expect(expirations).toEqual([]);
    expect(deadlines.expired).toBeUndefined();
  });

  it('counts down the first-token budget, bounded by the total limit', async () => {
    const { deadlines } = startClocks({
      firstTokenTimeoutMs: 1000,
      idleTimeoutMs: 1000,
      totalTimeoutMs: 400,
    });
    clear = () => deadlines.clear();
    expect(deadlines.msUntilFirstTokenDue()).toBeLessThanOrEqual(400);
    await sleep(100);
    expect(deadlines.msUntilFirstTokenDue()).toBeLessThanOrEqual(305);
    expect(deadlines.msUntilFirstTokenDue()).toBeGreaterThan(0);
  });
});
