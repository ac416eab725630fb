import { spawnApi, startApi, waitForLog, type ApiProcess } from '@tokenstream/e2e-support';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chat } from './support/stream-client';

/** The api's key for the upstream: it must never be logged, even where an upstream echoes it. */
const API_KEY = 'sk-KEYMARKER-0123456789';
/** What an upstream writes in its error bodies: the api must log its status, never this. */
const BODY_MARKER = 'BODYMARKER-c0ffee';
const hi = { messages: [{ role: 'user', content: 'Hi' }] };

/** How the upstream answers one request. */
type Fault = 'status-401' | 'status-500' | 'in-band' | 'cut';

/**
 * An OpenAI-compatible upstream that fails each request as its script says, every error body
 * quoting a marker and the `Authorization` it received, as careless upstreams do.
 */
function startFaultyUpstream(faults: Fault[]): Promise<Server> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const fault = faults.shift() ?? 'status-500';
      const body = {
        error: {
          message: `${BODY_MARKER}: rejected ${request.headers.authorization ?? ''}`,
          type: fault === 'status-401' ? 'invalid_request_error' : 'server_error',
          param: null,
          code: fault === 'status-401' ? 'invalid_api_key' : 'server_error',
        },
      };
      if (fault === 'cut') {
        response.socket?.destroy();
      } else if (fault === 'in-band') {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.end(`data: ${JSON.stringify(body)}\n\n`);
      } else {
        response.writeHead(fault === 'status-401' ? 401 : 500, {
          'content-type': 'application/json',
          'x-request-id': 'req_upstream_1',
        });
        response.end(JSON.stringify(body));
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Everything the api wrote: its JSON lines and its stderr. */
function everything(api: ApiProcess): string {
  return `${JSON.stringify(api.logs)}\n${api.stderr()}`;
}

describe('credentials and upstream payloads in the log', () => {
  let upstream: Server;
  let api: ApiProcess;

  beforeAll(async () => {
    upstream = await startFaultyUpstream(['status-401', 'status-500', 'in-band', 'cut']);
    const { port } = upstream.address() as AddressInfo;
    api = await startApi({
      OPENAI_API_KEY: API_KEY,
      OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`,
      CHAT_MODELS: 'gpt-4o-mini',
      UPSTREAM_MAX_RETRIES: '0',
      // Even at its most talkative.
      LOG_LEVEL: 'debug',
    });
  });
  afterAll(async () => {
    await api?.stop();
    await new Promise((done) => upstream?.close(done));
  });

  it('logs each request in one small line: what was asked, by which agent, how it went, no header', async () => {
    const response = await fetch(`${api.url}/api/health?probe=1`, {
      headers: {
        'User-Agent': 'e2e-agent/1.0',
        Cookie: 'session=COOKIEMARKER',
        'X-Custom': 'HEADERMARKER',
      },
    });
    expect(response.status).toBe(200);
    const completed = () =>
      api.logs.filter(
        (line) => line.msg === 'request completed' && JSON.stringify(line).includes('probe=1'),
      );
    await waitForLog(api, () => completed().length === 1);
    const [line] = completed();
    expect(line['req']).toEqual({
      id: expect.any(String),
      method: 'GET',
      url: '/api/health?probe=1',
      remoteAddress: '127.0.0.1',
      userAgent: 'e2e-agent/1.0',
    });
    expect(line['res']).toEqual({ statusCode: 200 });
    expect(everything(api)).not.toMatch(/COOKIEMARKER|HEADERMARKER/);
  });

  it('logs an upstream failure by its status, code and request id, never its body or our key', async () => {
    for (let i = 0; i < 4; i++) {
      const transcript = await chat(api.url, hi);
      expect(transcript.frames.at(-1)?.frame).toMatchObject({ type: 'error' });
    }
    const failed = () => api.logs.filter((line) => line.msg === 'stream failed');
    await waitForLog(api, () => failed().length === 4);
    const errors = failed().map((line) => line['err'] as Record<string, unknown>);
    expect(errors[0]).toEqual({
      type: 'AuthenticationError',
      message: 'the upstream answered 401',
      status: 401,
      code: 'invalid_api_key',
      errorType: 'invalid_request_error',
      upstreamRequestId: 'req_upstream_1',
    });
    expect(errors[1]).toMatchObject({ type: 'InternalServerError', status: 500 });
    expect(errors[2]).toMatchObject({ type: 'APIError', code: 'server_error' });
    // A broken connection keeps its message: it comes from the SDK and the socket, not the upstream.
    expect(errors[3]).toMatchObject({ type: 'APIConnectionError' });
    await api.stop();
    const log = everything(api);
    expect(log).not.toContain(BODY_MARKER);
    expect(log).not.toContain('KEYMARKER');
  });
});

describe('an OPENAI_BASE_URL with credentials in it', () => {
  it.each([
    ['a user and password', 'http://user:s3cr3t@127.0.0.1:1/v1'],
    ['a query', 'http://127.0.0.1:1/v1?key=s3cr3t'],
  ])('with %s: stops the api with one line that does not show them', async (_name, url) => {
    const { child, exited } = spawnApi({ OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: url });
    let output = '';
    const keep = (chunk: Buffer) => (output += chunk.toString());
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    expect(await exited).toEqual({ code: 1, signal: null });
    expect(output.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^tokenstream api: invalid configuration: OPENAI_BASE_URL="http:\/\/(\*\*\*:\*\*\*@)?127\.0\.0\.1:1\/v1(\?key=\*\*\*)?": expected no user, password or query in the URL/,
      ),
    ]);
    expect(output).not.toContain('s3cr3t');
    expect(output).not.toContain('KEYMARKER');
  });
});
