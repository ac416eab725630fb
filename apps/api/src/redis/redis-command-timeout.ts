/** How long a Redis command may take unless `REDIS_COMMAND_TIMEOUT_MS` says otherwise. */
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 1_000;

/** Redis did not answer a command in time: connected, but stalled (or the network is). */
export class RedisCommandTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`Redis did not answer within ${timeoutMs} ms`);
    this.name = 'RedisCommandTimeoutError';
  }
}

/**
 * `command`'s answer, or a {@link RedisCommandTimeoutError} once `timeoutMs` passed without one;
 * the timer is cleared either way. node-redis's own `timeout` option cannot do this: it only
 * covers a command still waiting to be written, and a stalled server takes the bytes and never
 * answers (redis/node-redis#3008). The command itself is not cancelled: Redis may still run it
 * later, which the caller must allow for.
 */
export async function withCommandTimeout<T>(command: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    // One more turn before giving up: on a busy event loop the timer can come due while the answer
    // already waits in the socket, and timers run before I/O in a turn. `setImmediate` runs after
    // the turn's I/O, so only an answer that has not arrived counts as late.
    timer = setTimeout(
      () => setImmediate(() => reject(new RedisCommandTimeoutError(timeoutMs))),
      timeoutMs,
    );
  });
  try {
    // `race` listens to `command` too, so a late failure of it is handled, never unhandled.
    return await Promise.race([command, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
