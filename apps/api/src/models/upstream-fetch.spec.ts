import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createUpstreamFetch, upstreamBodyOf } from './upstream-fetch';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A real server on a free port whose answers each test writes. */
async function serve(handler: Handler): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => handler(req, res, body));
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

describe('createUpstreamFetch', () => {
  const upstreamFetch = createUpstreamFetch();
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
    server = undefined;
  });

  it('sends the method, headers and body, and answers with the status, headers and body', async () => {
    const served = await serve((req, res, body) => {
      res.writeHead(201, { 'Content-Type': 'application/json', 'X-Request-Id': 'req_1' });
      res.end(JSON.stringify({ method: req.method, auth: req.headers.authorization, body }));
    });
    server = served.server;
    const response = await upstreamFetch(`${served.url}/v1/things`, {
      method: 'POST',
      headers: new Headers({ Authorization: 'Bearer sk-test', 'Content-Type': 'application/json' }),
      body: '{"a":1}',
    });
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.headers.get('x-request-id')).toBe('req_1');
    expect(await response.json()).toEqual({
      method: 'POST',
      auth: 'Bearer sk-test',
      body: '{"a":1}',
    });
  });

  it('answers a status without a body with a null body', async () => {
    const served = await serve((_, res) => res.writeHead(204).end());
    server = served.server;
    const response = await upstreamFetch(served.url, { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });

  it('hands the body over from the socket, in the chunks it arrived in', async () => {
    const served = await serve((_, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('data: one\n\n');
      setTimeout(() => res.end('data: two\n\n'), 30);
    });
    server = served.server;
    const response = await upstreamFetch(served.url);
    const chunks: string[] = [];
    for await (const bytes of upstreamBodyOf(response)) chunks.push(Buffer.from(bytes).toString());
    expect(chunks).toEqual(['data: one\n\n', 'data: two\n\n']);
  });

  it('closes the upstream connection when its signal aborts mid-body', async () => {
    let closed = false;
    const served = await serve((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('data: first\n\n');
      res.on('close', () => (closed = true));
    });
    server = served.server;
    const abort = new AbortController();
    const response = await upstreamFetch(served.url, { signal: abort.signal });
    const read = (async () => {
      for await (const bytes of upstreamBodyOf(response)) {
        if (bytes.length > 0) abort.abort();
      }
    })();
    await expect(read).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(true);
  });

  it('rejects when nothing listens, as fetch does', async () => {
    const served = await serve(() => undefined);
    served.server.close();
    await expect(upstreamFetch(served.url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
