import { DEFAULT_RESUME_POLICY, reconnectDelay, type ResumePolicy } from './resume-policy';

const policy = (random: number): ResumePolicy => ({
  ...DEFAULT_RESUME_POLICY,
  initialDelayMs: 100,
  maxDelayMs: 1_000,
  random: () => random,
});

describe('reconnectDelay', () => {
  it('doubles from initialDelayMs up to maxDelayMs, with equal jitter', () => {
    const delays = [1, 2, 3, 4, 5, 6].map((attempt) => reconnectDelay(attempt, policy(0.5)));
    expect(delays).toEqual([75, 150, 300, 600, 750, 750]);
  });

  it('waits at least half and at most all of the nominal delay', () => {
    expect(reconnectDelay(3, policy(0))).toBe(200);
    expect(reconnectDelay(3, policy(0.9999))).toBe(400);
  });

  it('defaults to 6 tries within a minute, 250 ms doubling to 5 s, a 15 s heartbeat', () => {
    expect(DEFAULT_RESUME_POLICY).toEqual({
      maxAttempts: 6,
      initialDelayMs: 250,
      maxDelayMs: 5_000,
      maxOutageMs: 60_000,
      fallbackHeartbeatMs: 15_000,
      random: Math.random,
    });
  });
});
