import express from 'express';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import pino from 'pino';
import { pinoHttp } from 'pino-http';
import { shareResponseShape } from './shared-response-shape';

// V8's own check of two objects' hidden classes, allowed for the functions compiled after this.
setFlagsFromString('--allow-natives-syntax');
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (
  a: object,
  b: object,
) => boolean;

/**
 * Two responses of an event-stream route of an Express app behind the request logger, taken once
 * each has written its first event and then once each has ended: whether they share a map.
 */
async function twoResponses(shared: boolean): Promise<{ writing: boolean; ended: boolean }> {
  const logger = pinoHttp({ logger: pino({ level: 'silent' }) });
  const app = express();
  if (!shared) app.use(logger);
  const held: ServerResponse[] = [];
  const writing = new Promise<boolean>((resolve) => {
    app.get('/events', (_req, res) => {
      res.status(200).setHeader('Content-Type', 'text/event-stream');
      res.write(': open\n\n');
      held.push(res);
      if (held.length === 2) resolve(haveSameMap(held[0], held[1]));
    });
  });
  const server: Server = createServer(app);
  if (shared) shareResponseShape(server, logger);
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  const bodies = [1, 2].map(() =>
    fetch(`http://127.0.0.1:${port}/events`).then((response) => response.text()),
  );
  try {
    const sameWhileWriting = await writing;
    held.forEach((res) => res.end('data: done\n\n'));
    await Promise.all(bodies);
    return { writing: sameWhileWriting, ended: haveSameMap(held[0], held[1]) };
  } finally {
    server.close();
  }
}

describe('shareResponseShape', () => {
  it('keeps every response of a route on one hidden class, Express and the logger in', async () => {
    expect(await twoResponses(true)).toEqual({ writing: true, ended: true });
  });

  it('is needed: without it, each response has a map of its own', async () => {
    expect((await twoResponses(false)).writing).toBe(false);
  });
});
