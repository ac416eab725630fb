import { Logger } from '@nestjs/common';
import { createClient } from 'redis';

/** How long to wait for Redis to accept a connection, at boot and on each reconnection. */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Connects to `url`. Commands fail at once while the connection is down, rather than queue (a
 * request must not hang on an outage); the client reconnects by itself, backing off to 5 s.
 */
export async function connectRedis(url: string) {
  const logger = new Logger('Redis');
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 5_000),
    },
  });
  let lastError = '';
  // Without a listener node-redis would throw its errors; one line per new kind of failure.
  client.on('error', (error: Error) => {
    if (error.message === lastError) return;
    lastError = error.message;
    logger.warn({ err: error }, 'redis connection failed; reconnecting');
  });
  client.on('ready', () => {
    if (lastError) logger.log('redis connection back');
    lastError = '';
  });
  await client.connect();
  return client;
}

/** The client every shared store of this process uses: one connection to `REDIS_URL`. */
export type RedisClient = Awaited<ReturnType<typeof connectRedis>>;

/** Whether Redis at `url` answers, as one line for a refusal to start; `undefined` when it does. */
export async function redisProblem(url: string): Promise<string | undefined> {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: false },
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    return `REDIS_URL: cannot reach ${redactedUrl(url)}: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    if (client.isOpen) await client.quit().catch(() => undefined);
  }
}

/** `url` without its password, for logs. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'REDIS_URL';
  }
}
