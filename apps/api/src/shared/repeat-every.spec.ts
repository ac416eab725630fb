import { repeatEvery } from './repeat-every';

/** The timers that keep this process alive. */
const refTimers = () =>
  process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;

describe('repeatEvery', () => {
  it('calls the task every interval until stopped', () => {
    jest.useFakeTimers();
    try {
      let calls = 0;
      const stop = repeatEvery(100, () => (calls += 1));
      jest.advanceTimersByTime(99);
      expect(calls).toBe(0);
      jest.advanceTimersByTime(201);
      expect(calls).toBe(3);
      stop();
      jest.advanceTimersByTime(1_000);
      expect(calls).toBe(3);
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('does not keep the process alive', () => {
    const before = refTimers();
    const stop = repeatEvery(60_000, () => undefined);
    const during = refTimers();
    stop();
    expect(during).toBe(before);
  });
});
