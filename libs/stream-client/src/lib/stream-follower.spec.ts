import {
  HEARTBEAT_HEADER,
  KEEP_ALIVE_COMMENT,
  encodeSseComment,
  type ChatRequest,
} from '@tokenstream/stream-contracts';
import { FakeConnectivity } from '../testing/fake-connectivity';
import { read } from '../testing/read-events';
import { received, wire, wireFrames } from '../testing/reply-fixture';
import {
  json,
  resumeAfterLastEventId,
  scripted,
  sse,
  type Answer,
} from '../testing/scripted-fetch';
import type { ChatStreamEvent, ReconnectingEvent } from './chat-stream-event';
import { streamChat } from './stream-chat';
import { FAST, options } from '../testing/test-options';
import { trackTimers } from '../testing/timer-tracker';

// How a reply is resumed, seen from `streamChat`: the attempt budget, the outage deadline, the
// idle watchdog and the device's connectivity.

const request: ChatRequest = { messages: [{ role: 'user', content: 'Hi' }] };
const unavailable: Answer = () =>
  json(503, { statusCode: 503, code: 'internal_error', message: 'Down.' });
const unreachable: Answer = () => Promise.reject(new TypeError('fetch failed'));

function reconnects(events: ChatStreamEvent[]): ReconnectingEvent[] {
  return events.filter((event): event is ReconnectingEvent => event.kind === 'reconnecting');
}

function frames(events: ChatStreamEvent[]) {
  return events.flatMap((event) =>
    event.kind === 'frame' ? [{ id: event.id, frame: event.frame }] : [],
  );
}

describe('resuming a dropped stream', () => {
  it('gives up after maxAttempts reconnects in a row, as interrupted with the last failure as cause', async () => {
    const { fetch, calls } = scripted(
      () => sse(wire(0, 2), { ending: 'break' }),
      unavailable,
      unavailable,
      unavailable,
    );
    const { items, error } = await read(
      streamChat(request, options(fetch, { resume: { ...FAST, maxAttempts: 2 } })).events(),
    );
    expect(reconnects(items).map(({ attempt, delayMs }) => [attempt, delayMs])).toEqual([
      [1, 4],
      [2, 8],
    ]);
    expect(error).toMatchObject({
      kind: 'interrupted',
      retryable: true,
      cause: expect.objectContaining({ kind: 'unavailable', status: 503 }),
    });
    expect(calls.map((call) => call.method)).toEqual(['POST', 'GET', 'GET']);
  });

  it('gives up when an outage outlasts maxOutageMs, whatever attempts are left', async () => {
    const { fetch, calls } = scripted(
      () => sse(wire(0, 2), { ending: 'break' }),
      ...Array<Answer>(100).fill(unreachable),
    );
    const started = Date.now();
    const { error } = await read(
      streamChat(
        request,
        options(fetch, { resume: { ...FAST, maxAttempts: 100, maxOutageMs: 60 } }),
      ),
    );
    expect(error).toMatchObject({
      kind: 'interrupted',
      cause: expect.objectContaining({ kind: 'network' }),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
    // 4 + 8 + 15 + 15 … ms apart: a handful of tries, far from the 100 allowed.
    expect(calls.length).toBeLessThan(15);
  });

  it('starts the attempt budget again after a connection that brought new frames', async () => {
    const { fetch, calls } = scripted(
      () => sse(wire(0, 2), { ending: 'break' }),
      () => sse(wire(2, 3), { ending: 'break' }),
      () => sse(wire(3, 4), { ending: 'break' }),
      resumeAfterLastEventId,
    );
    const { items, error } = await read(
      streamChat(request, options(fetch, { resume: { ...FAST, maxAttempts: 1 } })).events(),
    );
    expect(error).toBeUndefined();
    expect(frames(items)).toEqual(received());
    expect(reconnects(items).map(({ attempt, lastEventId }) => [attempt, lastEventId])).toEqual([
      [1, '2'],
      [1, '3'],
      [1, '4'],
    ]);
    expect(calls.map((call) => call.method)).toEqual(['POST', 'GET', 'GET', 'GET']);
  });

  it('counts a connection that only sent frames again against the budget', async () => {
    const { fetch, calls } = scripted(
      () => sse(wire(0, 2), { ending: 'break' }),
      () => sse(wire(0, 2), { ending: 'break' }),
      resumeAfterLastEventId,
    );
    const { items, error } = await read(
      streamChat(request, options(fetch, { resume: { ...FAST, maxAttempts: 1 } })),
    );
    expect(items).toEqual(received().slice(0, 2));
    expect(error).toMatchObject({ kind: 'interrupted' });
    expect(calls).toHaveLength(2);
  });

  it('resumes a connection that stays silent for twice the heartbeat the api announced', async () => {
    const cancels: unknown[] = [];
    const { fetch, calls } = scripted(
      () =>
        sse(wire(0, 2), {
          ending: 'hang',
          headers: { [HEARTBEAT_HEADER]: '20' },
          onCancel: (reason) => cancels.push(reason),
        }),
      resumeAfterLastEventId,
    );
    let lastFrameAt = 0;
    let silenceMs = 0;
    const { items, error } = await read(streamChat(request, options(fetch)).events(), {
      onItem: (event) => {
        if (event.kind === 'frame') lastFrameAt = Date.now();
        if (event.kind === 'reconnecting') silenceMs = Date.now() - lastFrameAt;
      },
    });
    expect(error).toBeUndefined();
    expect(frames(items)).toEqual(received());
    expect(reconnects(items)).toEqual([
      expect.objectContaining({
        lastEventId: '2',
        error: expect.objectContaining({ kind: 'interrupted' }),
      }),
    ]);
    expect(silenceMs).toBeGreaterThanOrEqual(38);
    expect(cancels).toHaveLength(1);
    expect(calls[1].headers['Last-Event-ID']).toBe('2');
  });

  it('uses the fallback heartbeat when the api announces none', async () => {
    const { fetch } = scripted(() => sse(wire(0, 2), { ending: 'hang' }), resumeAfterLastEventId);
    const { items, error } = await read(
      streamChat(
        request,
        options(fetch, { resume: { ...FAST, fallbackHeartbeatMs: 20 } }),
      ).events(),
    );
    expect(error).toBeUndefined();
    expect(frames(items)).toEqual(received());
    expect(reconnects(items)).toHaveLength(1);
  });

  it('does not count the reader’s own time with a frame as the connection’s silence', async () => {
    const { fetch, calls } = scripted(() =>
      sse(wire(0), { headers: { [HEARTBEAT_HEADER]: '10' } }),
    );
    const stream = streamChat(request, options(fetch));
    let frameCount = 0;
    for await (const event of stream.events()) {
      if (event.kind === 'reconnecting') throw new Error('reconnected for a slow reader');
      // Three times the 20 ms of silence allowed, spent by the reader, not the connection.
      if (event.kind === 'frame') {
        frameCount += 1;
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
    }
    expect(frameCount).toBe(received().length);
    expect(calls).toHaveLength(1);
  });

  it('streams the whole reply without reconnecting when told a heartbeat past any timer', async () => {
    // 2 × 99999999999999 ms is past setTimeout's 2^31-1 ms, which would run the watchdog every ms.
    const timers = jest.spyOn(globalThis, 'setTimeout');
    try {
      const { fetch, calls } = scripted(() =>
        sse([wire(0, 2), { waitMs: 50 }, wire(2)], {
          headers: { [HEARTBEAT_HEADER]: '99999999999999' },
        }),
      );
      const { items, error } = await read(streamChat(request, options(fetch)).events());
      expect(error).toBeUndefined();
      expect(frames(items)).toEqual(received());
      expect(reconnects(items)).toEqual([]);
      expect(calls).toHaveLength(1);
      const delays = timers.mock.calls.map(([, delayMs]) => Number(delayMs ?? 0));
      expect(delays.filter((delayMs) => delayMs > 2 ** 31 - 1)).toEqual([]);
      // The watchdog's timer waits the longest interval believed (10 min, twice), not 1 ms.
      expect(delays).toContain(1_200_000);
    } finally {
      timers.mockRestore();
    }
  });

  it('keeps a connection that sends only keep-alive comments', async () => {
    const keepAlive = encodeSseComment(KEEP_ALIVE_COMMENT);
    // 120 ms without a frame, three times the 40 ms of silence allowed, with a comment every 10.
    const quiet = Array.from({ length: 12 }, () => [keepAlive, { waitMs: 10 }]).flat();
    const { fetch, calls } = scripted(() =>
      sse([wire(0, 2), ...quiet, wire(2)], { headers: { [HEARTBEAT_HEADER]: '20' } }),
    );
    const { items, error } = await read(streamChat(request, options(fetch)).events());
    expect(error).toBeUndefined();
    expect(reconnects(items)).toEqual([]);
    expect(frames(items)).toEqual(received());
    expect(calls).toHaveLength(1);
  });
});

describe('following the device’s connectivity', () => {
  it('resumes at once when the device is back online before the reconnect wait began', async () => {
    const connectivity = new FakeConnectivity();
    const { fetch, calls } = scripted(
      () => sse(wire(0, 2), { ending: 'hang' }),
      resumeAfterLastEventId,
    );
    const slow = { ...FAST, initialDelayMs: 5_000, maxDelayMs: 5_000 };
    const { items, error } = await read(
      streamChat(request, options(fetch, { connectivity, resume: slow })).events(),
      {
        onItem: (event) => {
          if (event.kind === 'frame' && event.id === '2') connectivity.set(false);
          // Back while the reader is still busy with `reconnecting`: no listener is waiting yet.
          if (event.kind === 'reconnecting') connectivity.set(true);
        },
      },
    );
    expect(error).toBeUndefined();
    expect(frames(items)).toEqual(received());
    expect(calls.map((call) => call.method)).toEqual(['POST', 'GET']);
  });

  it('cuts the connection at once when the device goes offline, and resumes only once it is back', async () => {
    const connectivity = new FakeConnectivity();
    const cancels: unknown[] = [];
    const { fetch, calls } = scripted(
      // No heartbeat header and the default 15 s fallback: only going offline ends this quickly.
      () => sse(wire(0, 2), { ending: 'hang', onCancel: (reason) => cancels.push(reason) }),
      resumeAfterLastEventId,
    );
    let callsWhileOffline = -1;
    const { items, error } = await read(
      streamChat(request, options(fetch, { connectivity })).events(),
      {
        onItem: (event) => {
          if (event.kind === 'frame' && event.id === '2') connectivity.set(false);
          if (event.kind === 'reconnecting') {
            // Far past the 4 ms delay: still offline, so no attempt is spent on a certain failure.
            setTimeout(() => {
              callsWhileOffline = calls.length;
              connectivity.set(true);
            }, 60);
          }
        },
      },
    );
    expect(error).toBeUndefined();
    expect(reconnects(items)).toEqual([
      expect.objectContaining({
        attempt: 1,
        lastEventId: '2',
        error: expect.objectContaining({ kind: 'network' }),
      }),
    ]);
    expect(cancels).toHaveLength(1);
    expect(callsWhileOffline).toBe(1);
    expect(frames(items)).toEqual(received());
    expect(calls.map((call) => call.method)).toEqual(['POST', 'GET']);
  });

  it('reconnects as soon as the device is back online, without waiting out the delay', async () => {
    const connectivity = new FakeConnectivity();
    const { fetch } = scripted(() => sse(wire(0, 2), { ending: 'break' }), resumeAfterLastEventId);
    const slow = { ...FAST, initialDelayMs: 10_000, maxDelayMs: 10_000 };
    const { items, error } = await read(
      streamChat(request, options(fetch, { connectivity, resume: slow })).events(),
      {
        // The browser says `online` while the client waits the 7.5 s out.
        onItem: (event) => {
          if (event.kind === 'reconnecting') setTimeout(() => connectivity.set(true), 20);
        },
      },
    );
    expect(error).toBeUndefined();
    expect(reconnects(items)).toEqual([expect.objectContaining({ delayMs: 7_500 })]);
    expect(frames(items)).toEqual(received());
  });

  it('gives up at the outage deadline when the device stays offline, after one last try', async () => {
    const connectivity = new FakeConnectivity();
    const { fetch, calls } = scripted(
      () => sse(wire(0, 2), { ending: 'hang' }),
      (call) => (connectivity.navigator.onLine ? resumeAfterLastEventId(call) : unreachable(call)),
    );
    const started = Date.now();
    const { items, error } = await read(
      streamChat(request, options(fetch, { connectivity, resume: { ...FAST, maxOutageMs: 80 } })),
      { onItem: ({ id }) => id === '2' && connectivity.set(false) },
    );
    expect(items).toEqual(received().slice(0, 2));
    expect(error).toMatchObject({
      kind: 'interrupted',
      cause: expect.objectContaining({ kind: 'network' }),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(80);
    expect(calls.map((call) => call.method)).toEqual(['POST', 'GET']);
  });
});

it('ends without another request when the api answers a resume with 204 (nothing follows)', async () => {
  const { fetch, calls } = scripted(
    () => sse(wire(0, 1), { ending: 'break' }),
    () => Promise.resolve(new Response(null, { status: 204 })),
  );
  const { items, error } = await read(streamChat(request, options(fetch)).events());
  expect(error).toBeUndefined();
  expect(frames(items)).toEqual(received().slice(0, frames(items).length));
  expect(calls.map((call) => call.method)).toEqual(['POST', 'GET']);
});

it('delivers the exact reply through a cut, a 503 and a silence in a row', async () => {
  const { fetch, calls } = scripted(
    () => sse(wire(0, 1), { ending: 'break' }),
    unavailable,
    () => sse(wire(0, 3), { ending: 'hang', headers: { [HEARTBEAT_HEADER]: '20' } }),
    resumeAfterLastEventId,
  );
  const { items, error } = await read(streamChat(request, options(fetch)).events());
  expect(error).toBeUndefined();
  expect(frames(items)).toEqual(received());
  expect(calls.map((call) => call.method)).toEqual(['POST', 'GET', 'GET', 'GET']);
});

describe('cleaning up', () => {
  // A timer left behind would keep a script from exiting.
  let timers: ReturnType<typeof trackTimers>;
  beforeEach(() => (timers = trackTimers()));
  afterEach(() => timers.stop());
  // The default policy: a 30 s watchdog and waits of seconds, that nobody would wait out here.
  const patient = { random: () => 0.5 };

  it('leaves no timer running once the reply ended', async () => {
    const { fetch } = scripted(() => sse(wire()));
    await streamChat(request, options(fetch, { resume: patient })).final();
    expect(timers.pending()).toBe(0);
  });

  it('leaves no timer running once the reader left early', async () => {
    const { fetch } = scripted(() => sse(wireFrames(), { ending: 'hang' }));
    for await (const { id } of streamChat(request, options(fetch, { resume: patient }))) {
      if (id === '2') break;
    }
    expect(timers.pending()).toBe(0);
  });

  it('leaves no timer running once aborted while waiting to reconnect', async () => {
    const leaving = new AbortController();
    const connectivity = new FakeConnectivity();
    const { fetch } = scripted(() => sse(wire(0, 2), { ending: 'break' }));
    const { error } = await read(
      streamChat(
        request,
        options(fetch, { resume: patient, connectivity, signal: leaving.signal }),
      ).events(),
      {
        onItem: (event) =>
          event.kind === 'reconnecting' && setTimeout(() => leaving.abort(new Error('left')), 5),
      },
    );
    expect(error).toEqual(new Error('left'));
    expect(timers.pending()).toBe(0);
  });

  it('leaves no timer running once it gave up', async () => {
    const { fetch } = scripted(() => sse(wire(0, 2), { ending: 'break' }));
    const failure = streamChat(
      request,
      options(fetch, { resume: { ...patient, maxAttempts: 0 } }),
    ).final();
    await expect(failure).rejects.toMatchObject({ kind: 'interrupted' });
    expect(timers.pending()).toBe(0);
  });
});
