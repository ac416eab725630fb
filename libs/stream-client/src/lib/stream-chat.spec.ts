import { encodeFrame, type ChatRequest, type StreamFrame } from '@tokenstream/stream-contracts';
import {
  FRAMES,
  REPLY_TEXT,
  STREAM_ID,
  received,
  wire,
  wireFrames,
} from '../testing/reply-fixture';
import { collect, read } from '../testing/read-events';
import { json, resumeAfterLastEventId, scripted, sse } from '../testing/scripted-fetch';
import { ChatClientError } from './chat-client-error';
import { resumeChat, streamChat } from './stream-chat';
import { FAST, options } from '../testing/test-options';

const encoder = new TextEncoder();
const request: ChatRequest = { messages: [{ role: 'user', content: 'Hi' }] };

/** How many whole frames (ending in a blank line) the first `length` bytes of `bytes` hold. */
function completeFramesIn(bytes: Uint8Array, length: number): number {
  const text = new TextDecoder().decode(bytes.slice(0, length));
  return (text.match(/\n\n/g) ?? []).length;
}

describe('streamChat', () => {
  it('POSTs the request once and yields each frame with its id', async () => {
    const { fetch, calls } = scripted(() => sse(wire()));
    const frames = await collect(streamChat(request, options(fetch)));
    expect(frames).toEqual(received());
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ method: 'POST', url: 'http://api/api/chat/stream' });
    expect(JSON.parse(String(calls[0].init.body))).toEqual(request);
  });

  it('gives the stream id, the text and the finish frame from final()', async () => {
    const { fetch } = scripted(() => sse(wire()));
    await expect(streamChat(request, options(fetch)).final()).resolves.toEqual({
      streamId: STREAM_ID,
      text: REPLY_TEXT,
      reasoning: '',
      finish: { type: 'finish', finishReason: 'stop' },
    });
  });

  it('gives an error frame as the result of final(), not as a failure', async () => {
    const error: StreamFrame = {
      type: 'error',
      code: 'upstream_timeout',
      message: 'The model took too long to answer.',
      retryable: true,
    };
    const { fetch } = scripted(() => sse(wire(0, 2) + encodeFrame(error, '3')));
    await expect(streamChat(request, options(fetch)).final()).resolves.toEqual({
      streamId: STREAM_ID,
      text: 'Hél',
      reasoning: '',
      error,
    });
  });

  it('gives the result of what was iterated from final() after the iteration', async () => {
    const { fetch } = scripted(() => sse(wire()));
    const stream = streamChat(request, options(fetch));
    await collect(stream);
    await expect(stream.final()).resolves.toMatchObject({ text: REPLY_TEXT });
  });

  it('can be read once only', async () => {
    const { fetch } = scripted(() => sse(wire()));
    const stream = streamChat(request, options(fetch));
    await collect(stream);
    await expect(collect(stream)).rejects.toThrow('a chat stream can be read once');
  });

  it('delivers every frame exactly once after a cut at any byte, resuming after the last whole frame and never POSTing twice', async () => {
    const all = encoder.encode(wire());
    for (let cutAt = 0; cutAt < all.length; cutAt++) {
      const { fetch, calls } = scripted(
        () => sse(all.slice(0, cutAt), { ending: 'break' }),
        resumeAfterLastEventId,
      );
      const stream = streamChat(
        request,
        options(fetch, { resume: { ...FAST, initialDelayMs: 1 } }),
      );
      const frames = await collect(stream);
      const whole = completeFramesIn(all, cutAt);
      const context = `cut at byte ${cutAt} (${whole} whole frames before it)`;
      expect({ context, frames }).toEqual({ context, frames: received() });
      expect({ context, methods: calls.map((call) => call.method) }).toEqual({
        context,
        methods: ['POST', 'GET'],
      });
      expect({ context, lastEventId: calls[1].headers['Last-Event-ID'] }).toEqual({
        context,
        lastEventId: whole === 0 ? undefined : String(whole),
      });
      expect((await stream.final()).text).toBe(REPLY_TEXT);
    }
  });

  it('reassembles a character cut in the middle of its bytes', async () => {
    const all = encoder.encode(wire());
    const emoji = encoder.encode('🙂');
    const inside = all.findIndex((_, i) => emoji.every((byte, j) => all[i + j] === byte)) + 2;
    const { fetch, calls } = scripted(
      // The cut falls inside frame 3's emoji: frames 1 and 2 arrived whole.
      () => sse(all.slice(0, inside), { ending: 'break' }),
      resumeAfterLastEventId,
    );
    const result = await streamChat(request, options(fetch)).final();
    expect(result.text).toBe(REPLY_TEXT);
    expect(calls[1].headers['Last-Event-ID']).toBe('2');
  });

  it('drops the frames a resume sends again, so each arrives once', async () => {
    const all = encoder.encode(wire());
    const { fetch } = scripted(
      () => sse(all.slice(0, 120), { ending: 'break' }),
      () => sse(wire(0)),
    );
    expect(await collect(streamChat(request, options(fetch)))).toEqual(received());
  });

  it('reports connected, the frames, reconnecting (attempt, delay, last id, why) and connected again, in order', async () => {
    const { fetch } = scripted(() => sse(wire(0, 2), { ending: 'break' }), resumeAfterLastEventId);
    const events = await collect(streamChat(request, options(fetch)).events());
    expect(events).toEqual([
      { kind: 'connected', streamId: STREAM_ID },
      { kind: 'frame', ...received()[0] },
      { kind: 'frame', ...received()[1] },
      {
        kind: 'reconnecting',
        attempt: 1,
        delayMs: 4,
        lastEventId: '2',
        error: expect.objectContaining({ kind: 'interrupted', retryable: true }),
      },
      { kind: 'connected', streamId: STREAM_ID },
      ...received(2).map((frame) => ({ kind: 'frame', ...frame })),
    ]);
  });

  it('rejects with the signal’s reason and cancels the body when aborted mid-stream', async () => {
    const cancels: unknown[] = [];
    const { fetch, calls } = scripted(() =>
      sse(wire(0, 2), {
        ending: 'hang',
        onCancel: (reason) => cancels.push(reason),
      }),
    );
    const leaving = new AbortController();
    const reason = new Error('the user left');
    const stream = streamChat(request, options(fetch, { signal: leaving.signal }));
    const { items, error } = await read(stream, {
      // The user leaves while the client waits for the next bytes.
      onItem: ({ id }) => id === '2' && setTimeout(() => leaving.abort(reason), 5),
    });
    expect(items.map(({ id }) => id)).toEqual(['1', '2']);
    expect(error).toBe(reason);
    expect(cancels).toEqual([reason]);
    await expect(stream.final()).rejects.toBe(reason);
    expect(calls).toHaveLength(1);
  });

  it('rejects with the signal’s reason while waiting to reconnect, and reconnects no more', async () => {
    const { fetch, calls } = scripted(
      () => sse(wire().slice(0, 60), { ending: 'break' }),
      resumeAfterLastEventId,
    );
    const leaving = new AbortController();
    const reason = new Error('the user left');
    const stream = streamChat(
      request,
      options(fetch, {
        signal: leaving.signal,
        resume: { ...FAST, initialDelayMs: 10_000, maxDelayMs: 10_000 },
      }),
    );
    const { items, error } = await read(stream.events(), {
      onItem: (event) =>
        event.kind === 'reconnecting' && setTimeout(() => leaving.abort(reason), 5),
    });
    expect(items.at(-1)).toMatchObject({ kind: 'reconnecting', delayMs: 7_500 });
    expect(error).toBe(reason);
    expect(calls).toHaveLength(1);
  });

  it('keeps a finished reply whole when the signal aborts right after its last frame', async () => {
    const { fetch } = scripted(() => sse(wire()));
    const leave = new AbortController();
    const stream = streamChat(request, options(fetch, { signal: leave.signal }));
    for await (const { frame } of stream) {
      if (frame.type === 'finish') leave.abort(new Error('done reading'));
    }
    await expect(stream.final()).resolves.toMatchObject({
      finish: { finishReason: 'stop' },
    });
  });

  it('sends nothing when the signal is already aborted', async () => {
    const { fetch, calls } = scripted(() => sse(wire()));
    const reason = new Error('never mind');
    const stream = streamChat(request, options(fetch, { signal: AbortSignal.abort(reason) }));
    await expect(stream.final()).rejects.toBe(reason);
    expect(calls).toHaveLength(0);
  });

  it('cancels the body when the reader breaks out early', async () => {
    const cancels: unknown[] = [];
    const { fetch, calls } = scripted(() =>
      sse(wireFrames(), {
        onCancel: (reason) => cancels.push(reason),
      }),
    );
    const stream = streamChat(request, options(fetch));
    for await (const { id } of stream) if (id === '2') break;
    expect(cancels).toHaveLength(1);
    await expect(stream.final()).rejects.toThrow('the stream was left before its end');
    expect(calls).toHaveLength(1);
  });

  it('cancels the body when the reader of events() breaks out early', async () => {
    const cancels: unknown[] = [];
    const { fetch } = scripted(() =>
      sse(wireFrames(), {
        onCancel: (reason) => cancels.push(reason),
      }),
    );
    for await (const event of streamChat(request, options(fetch)).events()) {
      if (event.kind === 'frame') break;
    }
    expect(cancels).toHaveLength(1);
  });

  it('cancels the body when the reader of events() leaves at the connected event', async () => {
    const cancels: unknown[] = [];
    const { fetch } = scripted(() =>
      sse(wireFrames(), { onCancel: (reason) => cancels.push(reason) }),
    );
    for await (const event of streamChat(request, options(fetch)).events()) {
      if (event.kind === 'connected') break;
    }
    expect(cancels).toHaveLength(1);
  });

  it('sends the prompt again, with the same Idempotency-Key, while the request gets no answer', async () => {
    const { fetch, calls } = scripted();
    const failure = streamChat(request, options(fetch, { resume: { ...FAST, maxAttempts: 2 } }));
    await expect(failure.final()).rejects.toMatchObject({ retryable: true });
    await expect(failure.final()).rejects.toBeInstanceOf(ChatClientError);
    // One POST and two more: the api joins the reply a lost one may have started, never a second.
    expect(calls.map((call) => call.method)).toEqual(['POST', 'POST', 'POST']);
    const keys = new Set(calls.map((call) => call.headers['Idempotency-Key']));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('fails with the api’s rejection and its problems, without sending the request again', async () => {
    const problems = [{ path: 'messages', message: 'Required' }];
    const { fetch, calls } = scripted(() =>
      json(400, {
        statusCode: 400,
        code: 'invalid_request',
        message: 'Invalid request: messages',
        problems,
      }),
    );
    await expect(streamChat(request, options(fetch)).final()).rejects.toMatchObject({
      kind: 'rejected',
      status: 400,
      code: 'invalid_request',
      message: 'Invalid request: messages',
      problems,
      retryable: false,
    });
    expect(calls).toHaveLength(1);
  });

  it('sends the prompt again with the same key after a 5xx before the stream opened', async () => {
    const { fetch, calls } = scripted(
      () => new Response('Bad gateway', { status: 502 }),
      () => sse(wire()),
    );
    const result = await streamChat(request, options(fetch)).final();
    expect(result.finish).toMatchObject({ type: 'finish' });
    expect(calls.map((call) => call.method)).toEqual(['POST', 'POST']);
    expect(calls[1].headers['Idempotency-Key']).toBe(calls[0].headers['Idempotency-Key']);
  });

  it('gives each prompt its own key', async () => {
    const { fetch, calls } = scripted(
      () => sse(wire()),
      () => sse(wire()),
    );
    await streamChat(request, options(fetch)).final();
    await streamChat(request, options(fetch)).final();
    expect(calls[0].headers['Idempotency-Key']).not.toBe(calls[1].headers['Idempotency-Key']);
  });

  it('fails as protocol, without resuming, when a frame is not JSON', async () => {
    const { fetch, calls } = scripted(() => sse(wire(0, 1) + 'data: {oops\n\n'));
    await expect(streamChat(request, options(fetch)).final()).rejects.toMatchObject({
      kind: 'protocol',
      retryable: false,
    });
    expect(calls).toHaveLength(1);
  });

  it('fails as gone when the api no longer has the stream it resumes', async () => {
    const { fetch, calls } = scripted(
      () => sse(wire().slice(0, 70), { ending: 'break' }),
      () => json(404, { statusCode: 404, code: 'stream_not_found', message: 'No such stream.' }),
    );
    await expect(streamChat(request, options(fetch)).final()).rejects.toMatchObject({
      kind: 'gone',
      status: 404,
      code: 'stream_not_found',
      retryable: false,
    });
    expect(calls.map((call) => call.method)).toEqual(['POST', 'GET']);
  });
});

describe('resumeChat', () => {
  it('reads the frames after lastEventId, sending it as Last-Event-ID', async () => {
    const { fetch, calls } = scripted(resumeAfterLastEventId);
    const stream = resumeChat({ streamId: STREAM_ID, lastEventId: '2' }, options(fetch));
    expect(await collect(stream)).toEqual(received(2));
    await expect(stream.final()).resolves.toEqual({
      streamId: STREAM_ID,
      text: 'lo 🙂 world',
      reasoning: '',
      finish: FRAMES[4],
    });
    expect(calls).toEqual([
      expect.objectContaining({
        method: 'GET',
        url: `http://api/api/streams/${STREAM_ID}/events`,
        headers: expect.objectContaining({ 'Last-Event-ID': '2', Accept: 'text/event-stream' }),
      }),
    ]);
  });

  it('drops the frames at or before lastEventId when the api sends them anyway', async () => {
    const { fetch } = scripted(() => sse(wire(0)));
    const stream = resumeChat({ streamId: STREAM_ID, lastEventId: '3' }, options(fetch));
    expect(await collect(stream)).toEqual(received(3));
  });

  it('reads the stream from its start without a lastEventId', async () => {
    const { fetch, calls } = scripted(resumeAfterLastEventId);
    const result = await resumeChat({ streamId: STREAM_ID }, options(fetch)).final();
    expect(result.text).toBe(REPLY_TEXT);
    expect(calls[0].headers).not.toHaveProperty('Last-Event-ID');
  });

  it('resumes again after a cut, after the last frame it got', async () => {
    const { fetch, calls } = scripted(
      () => sse(wire(2, 3), { ending: 'break' }),
      resumeAfterLastEventId,
    );
    const frames = await collect(
      resumeChat({ streamId: STREAM_ID, lastEventId: '2' }, options(fetch)),
    );
    expect(frames).toEqual(received(2));
    expect(calls.map((call) => call.headers['Last-Event-ID'])).toEqual(['2', '3']);
  });

  it('fails as gone, without trying again, when the api no longer has the stream', async () => {
    const { fetch, calls } = scripted(
      () => json(404, { statusCode: 404, code: 'stream_not_found', message: 'No such stream.' }),
      resumeAfterLastEventId,
    );
    await expect(
      resumeChat({ streamId: 'expired', lastEventId: '7' }, options(fetch)).final(),
    ).rejects.toMatchObject({ kind: 'gone', status: 404, retryable: false });
    expect(calls).toHaveLength(1);
  });
});
