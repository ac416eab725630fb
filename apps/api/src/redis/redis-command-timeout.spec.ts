import { createServer, connect, type Server } from 'node:net';
import { RedisCommandTimeoutError, withCommandTimeout } from './redis-command-timeout';

/** Keeps the event loop busy for `ms`, as a saturated api does. */
function blockFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy
  }
}

describe('withCommandTimeout', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    // Answers every line at once, as a healthy Redis does, and says when the answer is sent.
    server = createServer((socket) =>
      socket.on('data', () => socket.write('+OK\r\n', () => server.emit('answered'))),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  /** A command on a real socket: it resolves when the answer is read. */
  async function command(): Promise<string> {
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const answer = new Promise<string>((resolve) =>
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString());
      }),
    );
    socket.write('PING\r\n');
    return answer;
  }

  it('gives the answer that came in time, though a busy event loop read it late', async () => {
    const answered = new Promise((resolve) => server.once('answered', resolve));
    const answer = withCommandTimeout(command(), 50);
    // Once the answer is on its way (however busy the machine), this process reads nothing for
    // 200 ms: when it looks again, the timer is due and the answer waits in the socket.
    await answered;
    blockFor(200);
    await expect(answer).resolves.toBe('+OK\r\n');
  });

  it('fails a command that gets no answer once the time is up', async () => {
    const never = new Promise<string>(() => undefined);
    const started = Date.now();
    await expect(withCommandTimeout(never, 50)).rejects.toBeInstanceOf(RedisCommandTimeoutError);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
