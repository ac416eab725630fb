import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createUpstreamFetch, readUpstreamBody } from './upstream-fetch';
import { isBrokenConnection } from './upstream-failure';

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

  it('reads an error body as text or as a web stream, as the SDK does', async () => {
    const served = await serve((_, res) => {
      res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '2' });
      res.write('{"error":{"message":"slow');
      setTimeout(() => res.end(' down"}}'), 20);
    });
    server = served.server;
    const asText = await upstreamFetch(served.url, { method: 'POST', body: '{}' });
    expect(asText.status).toBe(429);
    expect(asText.headers.get('retry-after')).toBe('2');
    expect(asText.bodyUsed).toBe(false);
    expect(await asText.text()).toBe('{"error":{"message":"slow down"}}');
    expect(asText.bodyUsed).toBe(true);
    const asStream = await upstreamFetch(served.url, { method: 'POST', body: '{}' });
    // The same stream each time it is asked for, as a `Response`'s is.
    expect(asStream.body).toBe(asStream.body);
    const text = await new Response(asStream.body).text();
    expect(text).toBe('{"error":{"message":"slow down"}}');
  });

  it('answers a status without a body with a null body', async () => {
    const served = await serve((_, res) => res.writeHead(204).end());
    server = served.server;
    const response = await upstreamFetch(served.url, { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });

  /** Reads a body to its end: its chunks as text, and how it ended. */
  const readAll = (response: Response, onChunk?: (text: string) => void) =>
    new Promise<{ chunks: string[]; failure?: unknown }>((resolve) => {
      const chunks: string[] = [];
      readUpstreamBody(response, {
        next: (bytes) => {
          chunks.push(Buffer.from(bytes).toString());
          onChunk?.(chunks[chunks.length - 1]);
        },
        done: () => resolve({ chunks }),
        fail: (failure) => resolve({ chunks, failure }),
      });
    });

  it('hands the body over from the socket, in the chunks it arrived in', async () => {
    const served = await serve((_, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('data: one\n\n');
      setTimeout(() => res.end('data: two\n\n'), 30);
    });
    server = served.server;
    const response = await upstreamFetch(served.url);
    expect(await readAll(response)).toEqual({ chunks: ['data: one\n\n', 'data: two\n\n'] });
  });

  it('fails with a broken connection when the upstream dies mid-body', async () => {
    const served = await serve((_, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('data: one\n\n');
      setTimeout(() => res.socket?.destroy(), 30);
    });
    server = served.server;
    const { chunks, failure } = await readAll(await upstreamFetch(served.url));
    expect(chunks).toEqual(['data: one\n\n']);
    expect(isBrokenConnection(failure)).toBe(true);
  });

  it.each(['its signal aborts', 'the reader stops early'])(
    'closes the upstream connection when %s mid-body',
    async (how) => {
      let closed = false;
      const served = await serve((req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.write('data: first\n\n');
        res.on('close', () => (closed = true));
      });
      server = served.server;
      const abort = new AbortController();
      const response = await upstreamFetch(served.url, { signal: abort.signal });
      const seen: string[] = [];
      const stop = readUpstreamBody(response, {
        next: (bytes) => {
          seen.push(Buffer.from(bytes).toString());
          if (how === 'its signal aborts') abort.abort();
          else stop();
        },
        done: () => seen.push('done'),
        fail: () => seen.push('failed'),
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(closed).toBe(true);
      // The first chunk, and no event from a body its reader let go of.
      expect(seen[0]).toBe('data: first\n\n');
      if (how === 'the reader stops early') expect(seen).toEqual(['data: first\n\n']);
    },
  );

  it('rejects when nothing listens, as fetch does', async () => {
    const served = await serve(() => undefined);
    served.server.close();
    await expect(upstreamFetch(served.url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
