import { Logger } from '@nestjs/common';
import { createClient } from 'redis';
import { backoffDelay } from '../shared/backoff-delay';

/** How long to wait for Redis to accept a connection, at boot and on each reconnection. */
const CONNECT_TIMEOUT_MS = 5_000;

/** How long the client waits before each reconnection: 100 ms, doubling to 5 s. */
const RECONNECT_BACKOFF = { firstMs: 100, maxMs: 5_000 };

/**
 * Connects to `url`, once: it rejects if the first connection fails (the api then refuses to
 * start). Once connected, commands fail at once while the connection is down, rather than queue (a
 * request must not hang on an outage), and the client reconnects by itself, backing off to 5 s.
 */
export async function connectRedis(url: string) {
  const logger = new Logger('Redis');
  let connectedOnce = false;
  const client = createClient({
    url,
    disableOfflineQueue: true,
    // No timeout of node-redis's own (5 s unless told): every caller bounds its commands with
    // `withCommandTimeout`, which also covers a command written and never answered. Its timeout is
    // an `AbortSignal.timeout` per command, whose timer stays armed the whole 5 s however fast
    // Redis answers (and then aborts the signal if no full GC took it yet): at 4,000-6,000
    // commands a second, 23,000 such timers were alive at once, all in V8's old generation
    // (bench/README.md, issue 21).
    commandOptions: { timeout: 0 },
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Before the first connection, the failure is the answer: stop trying, `connect` rejects.
      reconnectStrategy: (retries: number, cause: Error) =>
        connectedOnce ? backoffDelay(retries, RECONNECT_BACKOFF) : cause,
    },
  });
  let lastError = '';
  // Without a listener node-redis would throw its errors; one line per new kind of failure.
  client.on('error', (error: Error) => {
    if (!connectedOnce || error.message === lastError) return;
    lastError = error.message;
    logger.warn({ err: error }, 'redis connection failed; reconnecting');
  });
  client.on('ready', () => {
    connectedOnce = true;
    if (lastError) logger.log('redis connection back');
    lastError = '';
  });
  await client.connect();
  return client;
}

/** The client every shared store of this process uses: one connection to `REDIS_URL`. */
export type RedisClient = Awaited<ReturnType<typeof connectRedis>>;
