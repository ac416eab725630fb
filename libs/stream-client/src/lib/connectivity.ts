/**
 * What tells the client the device went offline or came back: in a browser, pass `window`. Node
 * has no such signal; there, a dead connection is found by its silence instead.
 */
export interface ConnectivitySource {
  readonly navigator: { readonly onLine: boolean };
  addEventListener(type: 'online' | 'offline', listener: () => void): void;
  removeEventListener(type: 'online' | 'offline', listener: () => void): void;
}

/**
 * Waits `delayMs` before the next reconnect, or less: `online` ends the wait at once, and so does
 * `signal`. While the device says it is offline no attempt can succeed, so the wait stretches until
 * it is back online (or `deadline`, a `Date.now()` time) rather than spend a try on a certain failure.
 */
export function waitToReconnect(
  delayMs: number,
  deadline: number,
  connectivity: ConnectivitySource | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  return new Promise<void>((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = (): void => {
      clearTimeout(timer);
      connectivity?.removeEventListener('online', done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const due = (): void => {
      const remainingMs = deadline - Date.now();
      if (connectivity?.navigator.onLine === false && remainingMs > 0) {
        timer = setTimeout(due, remainingMs);
      } else {
        done();
      }
    };
    if (signal?.aborted) return resolve();
    connectivity?.addEventListener('online', done);
    signal?.addEventListener('abort', done, { once: true });
    timer = setTimeout(due, delayMs);
  });
}
