/** How a bounded wait is described when it runs out. */
export interface WaitOptions {
  /** What is awaited, for the failure message ("the reply to finish"). */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  /** What was seen so far, for the failure message. */
  seen?: () => string;
}

/**
 * Polls `probe` until it returns a value other than `undefined` or `false`, and returns that
 * value. Fails after `timeoutMs` with a message naming what was awaited and what was seen.
 * An error thrown by `probe` fails the wait at once.
 */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined | false>,
  { what, timeoutMs, intervalMs = 100, seen }: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) {
      const saw = seen ? `; saw: ${seen()}` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${saw}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Fails with `message()` unless `condition` holds: an assertion that says what it saw. */
export function check(condition: boolean, message: () => string): void {
  if (!condition) throw new Error(message());
}

/** Settles like `promise`, or fails after `timeoutMs` naming what was awaited and what was seen. */
export async function within<T>(
  promise: Promise<T>,
  { what, timeoutMs, seen }: Omit<WaitOptions, 'intervalMs'>,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const saw = seen ? `; saw: ${seen()}` : '';
      reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${saw}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
