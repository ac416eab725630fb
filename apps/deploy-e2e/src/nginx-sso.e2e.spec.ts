import {
  readStream,
  startApi,
  type ApiProcess,
  type StreamTranscript,
} from '@tokenstream/e2e-support';
import {
  ApiPaths,
  STREAM_ID_HEADER,
  type MeResponse,
  type StreamFrame,
} from '@tokenstream/stream-contracts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startAuthService,
  startNginx,
  type AuthService,
  type NginxProcess,
} from './support/processes';

// The built api in AUTH_MODE=proxy, trusting only loopback (where nginx connects from), behind a
// real nginx running deploy/nginx/tokenstream.conf.template, with a stand-in for oauth2-proxy.
const TOKEN_DELAY_MS = 50;
/** How long one read of a stream through nginx may take: a whole reply at that pace, with room. */
const READ_TIMEOUT_MS = 20_000;
const ALICE = { cookie: 'session=alice' };
const BOB = { cookie: 'session=bob' };
const hi = { messages: [{ role: 'user', content: 'Hi' }] };

/** Everything a client could forge to pass for someone else. */
const FORGED = {
  'x-auth-request-user': 'admin',
  'x-auth-request-email': 'admin@example.com',
  'x-auth-request-groups': 'admins',
  'x-forwarded-user': 'admin',
  'x-forwarded-email': 'admin@example.com',
  'x-forwarded-groups': 'admins',
};

let api: ApiProcess;
let auth: AuthService;
let nginx: NginxProcess;

function webDist(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tokenstream-web-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>tokenstream web app</title>');
  return dir;
}

beforeAll(async () => {
  auth = await startAuthService({
    alice: { user: 'alice', email: 'alice@example.com', groups: 'staff' },
    bob: { user: 'bob', email: 'bob@example.com' },
  });
  api = await startApi({
    AUTH_MODE: 'proxy',
    TRUSTED_PROXY_CIDRS: '127.0.0.1/32,::1/128',
    DEMO_TOKEN_DELAY_MS: String(TOKEN_DELAY_MS),
    STREAM_HEARTBEAT_MS: '200',
    WEB_DIST_DIR: webDist(),
  });
  nginx = await startNginx({ api: new URL(api.url).host, auth: auth.address });
}, 40_000);

afterAll(async () => {
  await Promise.all([nginx?.stop(), api?.stop(), auth?.stop()]);
});

/** A request through nginx, failing with nginx's error log if nginx itself broke. */
async function viaNginx(path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(new URL(path, nginx.url), {
    redirect: 'manual',
    signal: AbortSignal.timeout(15_000),
    ...init,
  });
  if (response.status >= 500) {
    throw new Error(
      `nginx answered ${response.status}: ${await response.text()}\n${nginx.errorLog()}`,
    );
  }
  return response;
}

function postChat(headers: Record<string, string>, signal?: AbortSignal): Promise<Response> {
  return viaNginx(ApiPaths.chatStream, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify(hi),
    ...(signal ? { signal } : {}),
  });
}

const deltas = (transcript: StreamTranscript) =>
  transcript.frames.filter(({ frame }) => frame.type === 'text-delta');
const lastFrame = (transcript: StreamTranscript): StreamFrame | undefined =>
  transcript.frames.at(-1)?.frame;

describe('a signed-in user, through nginx', () => {
  it('streams a reply frame by frame as the model writes it, not in one burst', async () => {
    const response = await postChat({ ...ALICE, 'accept-encoding': 'gzip' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    // gzip is on for text/event-stream in the http block (as on many sites); the stream route opts out.
    expect(response.headers.get('content-encoding')).toBeNull();
    const transcript = await readStream(response, { timeoutMs: READ_TIMEOUT_MS });

    const arrived = deltas(transcript).map(({ at }) => at);
    expect(arrived.length).toBeGreaterThanOrEqual(10);
    expect(arrived.at(-1)! - arrived[0]).toBeGreaterThan(500);
    // Spread out: many deltas each came well after the one before (a buffered reply comes at once).
    const spacedOut = arrived.filter((at, i) => i > 0 && at - arrived[i - 1] >= TOKEN_DELAY_MS / 3);
    expect(spacedOut.length).toBeGreaterThanOrEqual(8);
    expect(lastFrame(transcript)).toMatchObject({ type: 'finish', finishReason: 'stop' });
    expect(transcript.text()).toContain('tokenstream demo model');
  });

  it('is who the auth service says: GET /api/me shows proxy:alice', async () => {
    const response = await viaNginx(ApiPaths.me, { headers: ALICE });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject<Partial<MeResponse>>({
      id: 'proxy:alice',
      kind: 'user',
      via: 'proxy',
      email: 'alice@example.com',
      groups: ['staff'],
    });
    // The auth check got the cookie and the original URI, but never the request body.
    const check = auth.requests.filter(({ url }) => url === '/oauth2/auth').at(-1);
    expect(check?.headers.cookie).toBe('session=alice');
    expect(check?.headers['x-forwarded-uri']).toBe(ApiPaths.me);
    expect(check?.bodyBytes).toBe(0);
  });

  it('resumes a cut stream with GET /api/streams/:id/events and Last-Event-ID', async () => {
    const abort = new AbortController();
    const response = await postChat(ALICE, abort.signal);
    expect(response.status).toBe(200);
    const streamId = response.headers.get(STREAM_ID_HEADER);
    expect(streamId).toBeTruthy();
    const before = await readStream(response, {
      timeoutMs: READ_TIMEOUT_MS,
      until: (t) => deltas(t).length >= 3,
    });
    abort.abort(); // the connection is cut mid-reply
    const lastId = before.frames.at(-1)!.id!;

    const resumed = await viaNginx(ApiPaths.streamEvents(streamId!), {
      headers: { ...ALICE, accept: 'text/event-stream', 'last-event-id': lastId },
    });
    expect(resumed.status).toBe(200);
    const after = await readStream(resumed, { timeoutMs: READ_TIMEOUT_MS });
    expect(Number(after.frames[0].id)).toBe(Number(lastId) + 1);
    expect(lastFrame(after)).toMatchObject({ type: 'finish', finishReason: 'stop' });

    // Exact: the two parts are the whole reply, as a reader from the start sees it.
    const whole = await readStream(
      await viaNginx(ApiPaths.streamEvents(streamId!), {
        headers: { ...ALICE, accept: 'text/event-stream' },
      }),
      { timeoutMs: READ_TIMEOUT_MS },
    );
    expect(before.text() + after.text()).toBe(whole.text());
    const ids = [...before.frames, ...after.frames].map(({ id }) => Number(id));
    expect(ids).toEqual(ids.map((_, index) => index + 1));

    // Someone else, also signed in, cannot read it.
    expect((await viaNginx(ApiPaths.streamEvents(streamId!), { headers: BOB })).status).toBe(404);
  });

  it('passes keep-alive comments through: one arrives before the first frame', async () => {
    const response = await postChat(ALICE);
    expect(response.status).toBe(200);
    const transcript = await readStream(response, {
      timeoutMs: READ_TIMEOUT_MS,
      until: (t) => deltas(t).length >= 1,
    });
    expect(transcript.comments[0]?.text).toBe('keep-alive');
    expect(transcript.comments[0].at).toBeLessThanOrEqual(transcript.frames[0].at);
  });
});

describe('without a session, through nginx', () => {
  it('refuses the stream with the api-style 401 JSON, and starts nothing', async () => {
    const checksBefore = auth.requests.length;
    for (const cookie of [undefined, 'session=mallory']) {
      const response = await postChat(cookie ? { cookie } : {});
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="tokenstream"');
      expect(response.headers.get(STREAM_ID_HEADER)).toBeNull();
      expect(await response.json()).toMatchObject({ statusCode: 401, code: 'unauthenticated' });
    }
    expect(auth.requests.length - checksBefore).toBe(2);
    expect((await viaNginx(ApiPaths.me)).status).toBe(401);
  });

  it('keeps /api/health public, without asking the auth service', async () => {
    const checksBefore = auth.requests.length;
    expect((await viaNginx(ApiPaths.health)).status).toBe(200);
    expect(auth.requests.length).toBe(checksBefore);
  });

  it('sends a browser opening the web app to sign in; signed in, the api serves the app', async () => {
    const page = await viaNginx('/chat?x=1', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/oauth2/start?rd=/chat?x=1');
    const signedIn = await viaNginx('/chat', { headers: { ...ALICE, accept: 'text/html' } });
    expect(signedIn.status).toBe(200);
    expect(await signedIn.text()).toContain('tokenstream web app');
  });

  it('refuses a body over client_max_body_size (1m) with 413', async () => {
    const response = await viaNginx(ApiPaths.chatStream, {
      method: 'POST',
      headers: { ...ALICE, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(1_100_000) }] }),
    });
    expect(response.status).toBe(413);
  });
});

describe('forged identity headers, through nginx', () => {
  it("are overwritten with the auth service's identity for a signed-in user", async () => {
    const response = await viaNginx(ApiPaths.me, { headers: { ...ALICE, ...FORGED } });
    expect(await response.json()).toMatchObject({
      id: 'proxy:alice',
      email: 'alice@example.com',
      groups: ['staff'],
    });
  });

  it('are dropped even where the auth service sends no such header (bob has no groups)', async () => {
    const me = (await (
      await viaNginx(ApiPaths.me, { headers: { ...BOB, ...FORGED } })
    ).json()) as MeResponse;
    expect(me).toMatchObject({ id: 'proxy:bob', email: 'bob@example.com' });
    expect(me.groups ?? []).toEqual([]);
  });

  it('earn a 401 without a session, for the stream and for /api/me', async () => {
    expect((await postChat(FORGED)).status).toBe(401);
    const response = await viaNginx(ApiPaths.me, { headers: FORGED });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'unauthenticated' });
  });

  it('cannot start a stream as someone else', async () => {
    const response = await postChat({ ...ALICE, ...FORGED });
    expect(response.status).toBe(200);
    const streamId = response.headers.get(STREAM_ID_HEADER)!;
    const stop = await viaNginx(ApiPaths.stream(streamId), { method: 'DELETE', headers: ALICE });
    expect(stop.status).toBe(204);
    expect(lastFrame(await readStream(response, { timeoutMs: READ_TIMEOUT_MS }))).toMatchObject({
      type: 'finish',
      finishReason: 'cancelled',
    });
  });
});
