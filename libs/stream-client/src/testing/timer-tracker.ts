/**
 * Counts the timers set from now on through the global `setTimeout` and still pending (neither
 * fired nor cleared): what a client left running. Timers that Node's own fetch or the test runner
 * keep, which come and go on their own, are not counted, as they hold their own `setTimeout`.
 */
export function trackTimers(): { pending(): number; stop(): void } {
  const pending = new Set<unknown>();
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  const set = ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const handle = realSet(() => {
      pending.delete(handle);
      callback(...args);
    }, ms);
    pending.add(handle);
    return handle;
  }) as typeof setTimeout;
  const clear = ((handle: Parameters<typeof clearTimeout>[0]) => {
    pending.delete(handle);
    realClear(handle);
  }) as typeof clearTimeout;
  globalThis.setTimeout = set;
  globalThis.clearTimeout = clear;
  return {
    pending: () => pending.size,
    stop: () => {
      globalThis.setTimeout = realSet;
      globalThis.clearTimeout = realClear;
    },
  };
}
