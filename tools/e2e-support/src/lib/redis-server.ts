import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { freePort } from './free-port';
import { exitOf } from './process-exit';
import { stopChild } from './stop-child';

/** Debian's `redis-server` package puts the server here; `REDIS_SERVER` overrides it. */
const DEFAULT_REDIS_SERVER = '/usr/bin/redis-server';

/** How long the server may take to answer PING before the start fails. */
const START_TIMEOUT_MS = 10_000;

/** How long between two PINGs while the server starts. */
const PING_INTERVAL_MS = 50;

/** How long a stopped server may take to exit before it is killed (it saves nothing). */
const STOP_GRACE_MS = 5_000;

/** Ports tried before giving up: {@link freePort}'s port may be taken before the server binds it. */
const PORT_ATTEMPTS = 3;

/** A throwaway Redis server on 127.0.0.1, for the tests of code that shares state through Redis. */
export interface RedisServer {
  /** Where it listens: `redis://127.0.0.1:<port>`, as `createClient({ url })` takes it. */
  url: string;
  /** The process id of the server running now (a restart starts another). */
  pid(): number;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s); resolves once it has exited. */
  stop(): Promise<void>;
  /**
   * Stops the server and starts a new, empty one on the same port, as a Redis without persistence
   * comes back from a restart: clients that reconnect find no data.
   */
  restart(): Promise<void>;
}

/**
 * Starts Debian's `redis-server` (or `REDIS_SERVER`) on a free port of 127.0.0.1, with nothing
 * persisted, and resolves once it answers PING; fails with its output if it exits first or does
 * not answer within 10 s (then it is killed).
 */
export async function startRedis(): Promise<RedisServer> {
  const binary = process.env['REDIS_SERVER'] || DEFAULT_REDIS_SERVER;
  if (!existsSync(binary)) {
    throw new Error(`${binary} is missing: install Debian's redis-server or set REDIS_SERVER`);
  }
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOn(binary, await freePort());
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt === PORT_ATTEMPTS) throw error;
    }
  }
}

/** The server exited because another process had bound the port in the meantime. */
class PortTakenError extends Error {}

async function startOn(binary: string, port: number): Promise<RedisServer> {
  let current = await launch(binary, port);
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: () => current.pid,
    stop: () => current.stop(),
    restart: async () => {
      await current.stop();
      current = await launch(binary, port);
    },
  };
}

/** One redis-server process on `port`, once it answers PING. */
async function launch(
  binary: string,
  port: number,
): Promise<{ pid: number; stop(): Promise<void> }> {
  const child = spawn(
    binary,
    // No RDB snapshots, no append-only file: the data lives and dies with the process.
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = exitOf(child);
  let output = '';
  const keep = (chunk: Buffer) => (output += chunk.toString());
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);

  let ended = false;
  void exited.then(() => (ended = true));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await answersPing(port))) {
    if (ended) {
      if (/address already in use/i.test(output)) throw new PortTakenError(output);
      throw new Error(`redis-server exited before accepting connections: ${output}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `redis-server did not accept connections in ${START_TIMEOUT_MS} ms: ${output}`,
      );
    }
    await new Promise((done) => setTimeout(done, PING_INTERVAL_MS));
  }
  return {
    pid: child.pid ?? -1,
    stop: async () => {
      await stopChild(child, exited, { graceMs: STOP_GRACE_MS });
    },
  };
}

/**
 * Whether a Redis server on `port` answers an inline `PING` with `+PONG` (RESP: the
 * "inline command" form needs no client library), rather than refusing or `-LOADING`.
 */
export function answersPing(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(PING_INTERVAL_MS * 10, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG'));
    });
  });
}
