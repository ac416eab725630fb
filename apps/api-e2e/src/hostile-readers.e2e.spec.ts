import { readStream, waitForLog, type ApiProcess } from '@tokenstream/e2e-support';
import { ApiPaths, STREAM_ID_HEADER, type ApiErrorBody } from '@tokenstream/stream-contracts';
import { EventSource } from 'eventsource';
import { readFileSync } from 'node:fs';
import { createClient } from 'redis';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { useApiUnderTest } from './support/api-under-test';
import { chat, openStream } from './support/stream-client';

const hi = { messages: [{ role: 'user', content: 'Hi' }] };

/** The api's resident memory, in MiB, as the kernel counts it. */
function rssMiB(api: ApiProcess): number {
  const status = readFileSync(`/proc/${api.child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

/**
 * A reader that asks for a stream and never reads a byte of the answer: its socket is paused, so
 * the kernel's buffers fill and the api's writes back up.
 */
function neverReadingReader(api: ApiProcess, streamId: string): Promise<Socket> {
  const url = new URL(ApiPaths.streamEvents(streamId), api.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(
        `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\n\r\n`,
      );
      socket.pause();
      resolve(socket);
    });
    socket.on('error', reject);
  });
}

async function firstStreamId(response: Response): Promise<string> {
  const id = response.headers.get(STREAM_ID_HEADER);
  if (!id) throw new Error(`no ${STREAM_ID_HEADER} on ${response.status}`);
  return id;
}

describe('readers that do not read', () => {
  // About 10 MB of frames: on loopback the kernel takes about 4 MB for a socket nobody reads, so
  // each reader's delivery really backs up.
  const chunks = 2_500;
  const reply = Array.from({ length: chunks }, (_, i) => `${i}:${'y'.repeat(4_000)}|`).join('');
  const app = useApiUnderTest({
    upstream: { reply, chunks, chunkDelayMs: 0 },
    env: {
      STREAM_MAX_BYTES: String(16 * 1024 * 1024),
      STREAM_MAX_READERS_PER_STREAM: '0',
      STREAM_MAX_READERS_PER_CALLER: '0',
      STREAM_STALL_TIMEOUT_MS: '60000',
    },
  });
  let longStream: string;

  beforeAll(async () => {
    const transcript = await chat(app.url, hi, 30_000);
    expect(transcript.text()).toBe(reply);
    longStream = await firstStreamId(transcript.response);
  }, 60_000);

  it('hold a bounded amount of memory each, and a new stream still starts promptly', async () => {
    const before = rssMiB(app.api);
    const readers: Socket[] = [];
    try {
      for (let i = 0; i < 100; i++) readers.push(await neverReadingReader(app.api, longStream));
      // Let every delivery fill its socket and stop.
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      const during = rssMiB(app.api);
      // Had each reader's replay waited in the heap, 100 × 6 MB would show here.
      expect(during - before).toBeLessThan(150);
      const started = Date.now();
      const response = await openStream(app.url, { messages: [{ role: 'user', content: 'ok?' }] });
      const first = await readStream(response, { until: (t) => t.frames.length >= 2 });
      expect(first.frames[0].frame.type).toBe('start');
      expect(Date.now() - started).toBeLessThan(2_000);
      await readStream(response).catch(() => undefined);
    } finally {
      readers.forEach((socket) => socket.destroy());
    }
  }, 60_000);

  it('are closed once their socket has taken nothing for the stall timeout', async () => {
    const stalling = await app.startApi({
      STREAM_MAX_BYTES: String(16 * 1024 * 1024),
      STREAM_STALL_TIMEOUT_MS: '1000',
    });
    try {
      const transcript = await chat(stalling.url, hi, 30_000);
      const streamId = await firstStreamId(transcript.response);
      const reader = await neverReadingReader(stalling, streamId);
      const closed = new Promise<number>((resolve) => {
        const since = Date.now();
        reader.on('close', () => resolve(Date.now() - since));
      });
      await waitForLog(
        stalling,
        (line) =>
          line.msg === 'reader closed: its socket took nothing' && line['streamId'] === streamId,
        10_000,
      );
      // The client's side learns it too (its socket is paused, so only once it is resumed).
      reader.resume();
      expect(await closed).toBeLessThan(10_000);
      // And can come back later for the rest, from the last id it had.
      const rest = await fetch(new URL(ApiPaths.streamEvents(streamId), stalling.url), {
        headers: { 'Last-Event-ID': '900' },
      });
      const tail = await readStream(rest);
      expect(tail.frames[0].id).toBe('901');
      expect(tail.frames.at(-1)?.frame).toMatchObject({ type: 'finish' });
    } finally {
      await stalling.stop();
    }
  }, 60_000);
});

describe('every connection ends honestly', () => {
  const app = useApiUnderTest({
    env: { DEMO_TOKEN_DELAY_MS: '0', STREAM_MAX_READERS_PER_STREAM: '2' },
  });

  it('answers 204 to a reader that already has the last frame, and EventSource stops there', async () => {
    const transcript = await chat(app.url, hi);
    const streamId = await firstStreamId(transcript.response);
    const lastId = transcript.frames.at(-1)?.id;
    const atEnd = await fetch(new URL(ApiPaths.streamEvents(streamId), app.url), {
      headers: { 'Last-Event-ID': String(lastId) },
    });
    expect(atEnd.status).toBe(204);
    expect(await atEnd.text()).toBe('');

    // A WHATWG EventSource that reconnects with that id is answered 204 and does not try again.
    let connections = 0;
    const source = new EventSource(
      new URL(`${ApiPaths.streamEvents(streamId)}?lastEventId=${lastId}`, app.url).toString(),
      { fetch: (url, init) => (connections++, fetch(url, init)) },
    );
    await new Promise<void>((resolve) => (source.onerror = () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(source.readyState).toBe(EventSource.CLOSED);
    expect(connections).toBe(1);
    source.close();
  });

  it('answers 400 to an id beyond what the stream produced', async () => {
    const transcript = await chat(app.url, hi);
    const streamId = await firstStreamId(transcript.response);
    const lastId = Number(transcript.frames.at(-1)?.id);
    const future = await fetch(new URL(ApiPaths.streamEvents(streamId), app.url), {
      headers: { 'Last-Event-ID': String(lastId + 5) },
    });
    expect(future.status).toBe(400);
    const body = (await future.json()) as ApiErrorBody;
    expect(body.message).toContain(`past the stream's last frame so far (${lastId})`);
  });

  it('bounds the readers of one stream, the POST that started it included, with a 429', async () => {
    const slow = await app.startApi({
      DEMO_TOKEN_DELAY_MS: '30',
      STREAM_MAX_READERS_PER_STREAM: '2',
    });
    try {
      const abort = new AbortController();
      const post = await openStream(slow.url, hi, abort.signal);
      const streamId = await firstStreamId(post);
      const events = new URL(ApiPaths.streamEvents(streamId), slow.url);
      const second = await fetch(events, { signal: abort.signal });
      expect(second.status).toBe(200);
      const third = await fetch(events);
      expect(third.status).toBe(429);
      expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await third.json()).toMatchObject({
        code: 'rate_limited',
        problems: [{ path: 'limit', message: 'readersPerStream' }],
      });
      // A reader that leaves makes room for another.
      abort.abort();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const again = await fetch(events);
      expect(again.status).toBe(200);
      await again.body?.cancel();
    } finally {
      await slow.stop();
    }
  });
});

describe('a client that leaves while its stream is admitted', () => {
  const app = useApiUnderTest({
    upstream: { reply: 'never', chunks: 1 },
    redis: true,
    env: { REDIS_COMMAND_TIMEOUT_MS: '1500', LIMIT_CONCURRENT_STREAMS: '1' },
  });

  it('starts no generation: the upstream is never called and its slot is given back', async () => {
    const probe = await createClient({ url: app.redis.url }).connect();
    const pid = Number(/process_id:(\d+)/.exec(await probe.info('server'))?.[1]);
    await probe.close();
    let frozen = false;
    try {
      // A frozen Redis holds the admission for REDIS_COMMAND_TIMEOUT_MS: the client leaves meanwhile.
      process.kill(pid, 'SIGSTOP');
      frozen = true;
      const leaving = new AbortController();
      setTimeout(() => leaving.abort(), 300);
      await expect(openStream(app.url, hi, leaving.signal)).rejects.toThrow();
      await waitForLog(
        app.api,
        (line) => line.msg === 'client left before its stream started: nothing generated',
        5_000,
      );
      process.kill(pid, 'SIGCONT');
      frozen = false;
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(app.upstream.stats().requests).toBe(0);
      // Its concurrency slot came back (after the admission Redis ran late was released).
      const next = await chat(app.url, hi);
      expect(next.text()).toBe('never');
      expect(app.upstream.stats().requests).toBe(1);
    } finally {
      if (frozen) process.kill(pid, 'SIGCONT');
    }
  }, 30_000);
});

describe('a store budget smaller than the streams that want to run', () => {
  // Room for two streams at their limit: the third must wait.
  const app = useApiUnderTest({
    env: {
      DEMO_TOKEN_DELAY_MS: '20',
      STREAM_MAX_BYTES: '100000',
      STREAM_STORE_MAX_BYTES: '250000',
    },
  });

  it('refuses the stream that does not fit with 503, and every running stream ends with its end', async () => {
    const running = [await openStream(app.url, hi), await openStream(app.url, hi)];
    const refused = await openStream(app.url, hi);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.json()).toMatchObject({ code: 'server_busy' });
    const transcripts = await Promise.all(running.map((response) => readStream(response)));
    for (const transcript of transcripts) {
      expect(transcript.frames.at(-1)?.frame).toMatchObject({
        type: 'finish',
        finishReason: 'stop',
      });
    }
    // Finished, they make room (they are evicted for it if need be).
    const next = await chat(app.url, hi);
    expect(next.frames.at(-1)?.frame).toMatchObject({ type: 'finish' });
  }, 30_000);
});

describe('shutdown, whatever the sockets are doing', () => {
  const drainMs = 1_000;
  const app = useApiUnderTest({
    upstream: { reply: 'z'.repeat(2_000_000), chunks: 500, chunkDelayMs: 0 },
    env: {
      STREAM_MAX_BYTES: String(8 * 1024 * 1024),
      STREAM_DRAIN_MS: String(drainMs),
      STREAM_MAX_READERS_PER_STREAM: '0',
      STREAM_MAX_READERS_PER_CALLER: '0',
    },
  });

  it('exits within the drain time and the flush, with readers that never read and idle connections', async () => {
    const { api } = app;
    const readers: Socket[] = [];
    const agent = new Agent({ keepAlive: true });
    try {
      const transcript = await chat(api.url, hi, 30_000);
      const streamId = await firstStreamId(transcript.response);
      for (let i = 0; i < 50; i++) readers.push(await neverReadingReader(api, streamId));
      // An idle keep-alive connection: one request answered, the socket kept open.
      await new Promise<void>((resolve, reject) => {
        request(new URL(ApiPaths.health, api.url), { agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
          .on('error', reject)
          .end();
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      const started = Date.now();
      const exit = await api.stop('SIGTERM');
      const took = Date.now() - started;
      expect(exit.signal ?? exit.code).toBeDefined();
      // STREAM_DRAIN_MS, then a flush of at most 2 s, then the connections are closed.
      expect(took).toBeLessThan(drainMs + 2_000 + 1_500);
    } finally {
      readers.forEach((socket) => socket.destroy());
      agent.destroy();
    }
  }, 60_000);
});
