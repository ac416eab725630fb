import { createServer } from 'node:net';

/**
 * A port nothing listens on right now: bind port 0 on 127.0.0.1, read what the OS chose, let it
 * go. Only for a server that must be told its port (nginx cannot report one); another process may
 * take the port in between, so the caller retries on a bind failure.
 */
export async function freePort(): Promise<number> {
  return new Promise<number>((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? done(port) : fail(new Error('no port was assigned'))));
    });
  });
}
