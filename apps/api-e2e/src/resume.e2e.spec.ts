import { fetchStreamEvents, readStream, replyOf, seededRandom } from '@tokenstream/e2e-support';
import {
  ApiPaths,
  STREAM_ID_HEADER,
  isTerminalFrame,
  type ReceivedFrame,
} from '@tokenstream/stream-contracts';
import { useApiUnderTest } from './support/api-under-test';
import { leaveAfter, openStream } from './support/stream-client';

// Multi-byte characters everywhere, so cuts land inside them too.
const REPLY = Array.from({ length: 40 }, (_, i) => `wört${i} 日本語🙂 `).join('');
const GRACE_MS = 1_500;
const hi = { messages: [{ role: 'user', content: 'Hi' }] };

describe('streams that survive: resume, several readers, stop, grace', () => {
  const app = useApiUnderTest({
    upstream: { reply: REPLY, chunks: 60, chunkDelayMs: 15 },
    env: { STREAM_RESUME_GRACE_MS: String(GRACE_MS) },
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'reassembles the exact reply after cuts at random bytes (seed %i)',
    async (seed) => {
      const next = seededRandom(seed);
      const frames: ReceivedFrame[] = [];
      let streamId: string | undefined;
      let connections = 0;
      while (!frames.some(({ frame }) => isTerminalFrame(frame))) {
        connections += 1;
        expect(connections).toBeLessThan(60);
        const cutAt = 1 + Math.floor(next() * 700);
        const lastId = frames.at(-1)?.id;
        const response = streamId
          ? await fetchStreamEvents(app.url, streamId, { lastEventId: lastId })
          : await openStream(app.url, hi);
        const result = await readStream(response, { cutAfterBytes: cutAt });
        expect(result.response.status).toBe(200);
        streamId ??= result.response.headers.get(STREAM_ID_HEADER) ?? undefined;
        frames.push(...result.frames);
      }
      expect(replyOf(frames).text).toBe(REPLY);
      const ids = frames.map(({ id }) => Number(id));
      expect(ids).toEqual(ids.map((_, index) => index + 1));
      expect(frames.at(-1)?.frame).toMatchObject({ type: 'finish', finishReason: 'stop' });
      expect(connections).toBeGreaterThan(2);
      // One generation served every connection: the prompt went upstream once.
      expect(app.upstream.stats().requests).toBe(1);
    },
  );

  it('gives several readers identical frames, and a late reader the whole reply', async () => {
    const response = await openStream(app.url, hi);
    const streamId = response.headers.get(STREAM_ID_HEADER)!;
    const second = readStream(await fetch(new URL(ApiPaths.streamEvents(streamId), app.url)));
    const first = await readStream(response);
    const late = await readStream(await fetch(new URL(ApiPaths.streamEvents(streamId), app.url)));
    const shape = (t: typeof first) => t.frames.map(({ id, frame }) => [id, frame]);
    expect(shape(await second)).toEqual(shape(first));
    expect(shape(late)).toEqual(shape(first));
    expect(first.text()).toBe(REPLY);
  });

  it('resumes after a given frame with the lastEventId query parameter', async () => {
    const first = await readStream(await openStream(app.url, hi));
    const streamId = first.response.headers.get(STREAM_ID_HEADER)!;
    const url = new URL(ApiPaths.streamEvents(streamId), app.url);
    url.searchParams.set('lastEventId', '10');
    const rest = await readStream(await fetch(url));
    expect(rest.frames.map(({ id }) => id)).toEqual(first.frames.slice(10).map(({ id }) => id));
  });

  it('stops at once on DELETE: the upstream is aborted and every reader gets cancelled', async () => {
    app.upstream.configure({ chunkDelayMs: 100 });
    const response = await openStream(app.url, hi);
    const streamId = response.headers.get(STREAM_ID_HEADER)!;
    const other = readStream(await fetch(new URL(ApiPaths.streamEvents(streamId), app.url)));
    const reading = readStream(response);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const stop = await fetch(new URL(ApiPaths.stream(streamId), app.url), { method: 'DELETE' });
    expect(stop.status).toBe(204);
    const stats = await app.upstream.waitFor((s) => s.streamsAborted === 1, 2_000);
    expect(stats.streamsCompleted).toBe(0);
    for (const transcript of [await reading, await other]) {
      expect(transcript.frames.at(-1)?.frame).toEqual({
        type: 'finish',
        finishReason: 'cancelled',
      });
    }
  });

  it('keeps generating for the grace period after the client leaves, then aborts the upstream', async () => {
    app.upstream.configure({ chunkDelayMs: 200 });
    await leaveAfter(app.url, hi, 2);
    const left = Date.now();
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS / 2));
    expect(app.upstream.stats().streamsAborted).toBe(0);
    await app.upstream.waitFor((s) => s.streamsAborted === 1, GRACE_MS * 2);
    expect(Date.now() - left).toBeGreaterThanOrEqual(GRACE_MS - 100);
  });

  it('a reader who comes back within the grace period gets the rest, and nothing is aborted', async () => {
    app.upstream.configure({ chunkDelayMs: 30 });
    const before = await leaveAfter(app.url, hi, 5);
    const streamId = before.response.headers.get(STREAM_ID_HEADER)!;
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS / 3));
    const rest = await readStream(
      await fetch(new URL(ApiPaths.streamEvents(streamId), app.url), {
        headers: { 'Last-Event-ID': before.frames.at(-1)!.id! },
      }),
    );
    expect(before.text() + rest.text()).toBe(REPLY);
    expect(app.upstream.stats()).toMatchObject({ streamsAborted: 0, streamsCompleted: 1 });
  });

  it('answers an unknown stream with a JSON 404 and a bad Last-Event-ID with a 400', async () => {
    const unknown = await fetch(
      new URL(ApiPaths.streamEvents('6f1c2a8e-0000-4000-8000-000000000000'), app.url),
    );
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'stream_not_found' });
    const done = await readStream(await openStream(app.url, hi));
    const streamId = done.response.headers.get(STREAM_ID_HEADER)!;
    const bad = await fetch(new URL(ApiPaths.streamEvents(streamId), app.url), {
      headers: { 'Last-Event-ID': 'latest' },
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'invalid_request' });
  });
});
