import express from 'express';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { Observable, type Subscriber } from 'rxjs';
import { sendEventStream } from './event-stream-response';

/** An Express app whose one route answers with `body`, each value written as `<value>;`. */
async function serve(body: () => Observable<string>): Promise<{ server: Server; url: string }> {
  const app = express();
  app.get('/events', (_req, res) => sendEventStream(res, body(), (value) => `${value};`));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((listening) => server.once('listening', listening));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/events` };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('sendEventStream', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
  });

  it('answers 200 with the event-stream headers, writes each value as it comes, ends when it completes', async () => {
    let source!: Subscriber<string>;
    const served = await serve(
      () => new Observable<string>((subscriber) => void (source = subscriber)),
    );
    server = served.server;
    const answered = fetch(served.url);
    await until(() => source !== undefined);
    // Headers go with the first write, as a delivery's first keep-alive sends them.
    source.next('one');
    const response = await answered;
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('cache-control')).toMatch(/no-cache.*no-transform/);
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(Buffer.from((await reader.read()).value ?? []).toString()).toBe('one;');
    source.next('two');
    source.complete();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      rest += Buffer.from(chunk.value).toString();
    }
    expect(rest).toBe('two;');
  });

  it('unsubscribes from the body when the client leaves', async () => {
    let tornDown!: () => void;
    const unsubscribed = new Promise<void>((resolve) => (tornDown = resolve));
    const served = await serve(
      () =>
        new Observable<string>((subscriber) => {
          subscriber.next('hello');
          return tornDown;
        }),
    );
    server = served.server;
    const request = httpRequest(served.url, (response) => {
      response.once('data', () => request.destroy());
    });
    request.on('error', () => undefined);
    request.end();
    await unsubscribed;
  });

  it('ends the response when the body fails, reports it, and the server keeps serving', async () => {
    const reported = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    let calls = 0;
    const served = await serve(
      () =>
        new Observable<string>((subscriber) => {
          calls += 1;
          subscriber.next('partial');
          subscriber.error(new Error('a bug'));
        }),
    );
    server = served.server;
    for (let i = 0; i < 2; i++) {
      const response = await fetch(served.url);
      expect(await response.text()).toBe('partial;');
    }
    expect(calls).toBe(2);
    expect(reported).toHaveBeenCalledWith(
      expect.objectContaining({ err: expect.objectContaining({ message: 'a bug' }) }),
      'event stream failed',
    );
    reported.mockRestore();
  });
});
