import type { ChatRequest } from '@tokenstream/stream-contracts';
import { collect } from '../testing/read-events';
import { STREAM_ID, wire } from '../testing/reply-fixture';
import { resumeAfterLastEventId, scripted, sse } from '../testing/scripted-fetch';
import { stopStream } from './stop-stream';
import { resumeChat, streamChat } from './stream-chat';

// What every request of the client carries, seen in the requests `fetch` receives.

const request: ChatRequest = { messages: [{ role: 'user', content: 'Hi' }] };
const FAST = { initialDelayMs: 5, maxDelayMs: 20, random: () => 0.5 };

describe('the requests the client sends', () => {
  it('sends the headers and a fresh token with every request', async () => {
    const { fetch, calls } = scripted(
      () => sse(wire(0, 2), { ending: 'break' }),
      resumeAfterLastEventId,
      () => new Response(null, { status: 204 }),
    );
    let issued = 0;
    const client = {
      baseUrl: 'http://api',
      fetch,
      headers: { 'X-API-Key': 'key' },
      token: async () => `tok-${++issued}`,
    };
    await streamChat(request, { ...client, resume: FAST }).final();
    await stopStream(STREAM_ID, client);
    expect(calls.map((call) => call.headers)).toEqual([
      {
        'X-API-Key': 'key',
        Authorization: 'Bearer tok-1',
        'Content-Type': 'application/json',
        Accept: 'text/event-stream',
        'Idempotency-Key': expect.any(String),
      },
      {
        'X-API-Key': 'key',
        Authorization: 'Bearer tok-2',
        Accept: 'text/event-stream',
        'Last-Event-ID': '2',
      },
      { 'X-API-Key': 'key', Authorization: 'Bearer tok-3' },
    ]);
  });

  it('sends a fixed token as a bearer, and no Authorization without one', async () => {
    const { fetch, calls } = scripted(
      () => sse(wire()),
      () => sse(wire()),
    );
    await streamChat(request, { baseUrl: 'http://api', fetch, token: 'fixed' }).final();
    await streamChat(request, {
      baseUrl: 'http://api',
      fetch,
      token: async () => undefined,
    }).final();
    expect(calls[0].headers['Authorization']).toBe('Bearer fixed');
    expect(calls[1].headers).not.toHaveProperty('Authorization');
  });

  it('never follows redirects, bypasses caches and sends same-origin credentials by default', async () => {
    const { fetch, calls } = scripted(
      () => sse(wire()),
      () => sse(wire()),
      () => new Response(null, { status: 204 }),
    );
    await streamChat(request, { baseUrl: 'http://api', fetch }).final();
    await resumeChat({ streamId: STREAM_ID }, { baseUrl: 'http://api', fetch }).final();
    await stopStream(STREAM_ID, { baseUrl: 'http://api', fetch });
    for (const { init } of calls) {
      expect(init).toMatchObject({
        redirect: 'manual',
        cache: 'no-store',
        credentials: 'same-origin',
      });
    }
    expect(calls).toHaveLength(3);
  });

  it('sends the credentials mode it is given', async () => {
    const { fetch, calls } = scripted(() => sse(wire()));
    await streamChat(request, { baseUrl: 'http://api', fetch, credentials: 'include' }).final();
    expect(calls[0].init.credentials).toBe('include');
  });

  it.each([
    ['https://chat.example.com', 'https://chat.example.com/api/chat/stream'],
    ['https://chat.example.com//', 'https://chat.example.com/api/chat/stream'],
    ['', '/api/chat/stream'],
  ])('calls the api at baseUrl %j', async (baseUrl, url) => {
    const { fetch, calls } = scripted(() => sse(wire()));
    await streamChat(request, { baseUrl, fetch }).final();
    expect(calls[0].url).toBe(url);
  });

  it('uses the global fetch as it is at each call when none is given', async () => {
    const { fetch, calls } = scripted(() => sse(wire()));
    const original = globalThis.fetch;
    globalThis.fetch = fetch;
    try {
      await streamChat(request, { baseUrl: 'http://api' }).final();
    } finally {
      globalThis.fetch = original;
    }
    expect(calls).toHaveLength(1);
  });

  describe('when the token function throws', () => {
    const cause = new Error('refresh token expired');
    const token = async (): Promise<string> => {
      throw cause;
    };

    it('fails streamChat as unauthenticated, sending nothing', async () => {
      const { fetch, calls } = scripted(() => sse(wire()));
      await expect(
        collect(streamChat(request, { baseUrl: 'http://api', fetch, token })),
      ).rejects.toMatchObject({ kind: 'unauthenticated', retryable: false, cause });
      expect(calls).toHaveLength(0);
    });

    it('fails a resume as unauthenticated without trying again', async () => {
      const { fetch, calls } = scripted(
        () => sse(wire(0, 2), { ending: 'break' }),
        resumeAfterLastEventId,
      );
      let issued = 0;
      const refreshing = async (): Promise<string> => {
        if (++issued > 1) throw cause;
        return 'tok';
      };
      await expect(
        streamChat(request, {
          baseUrl: 'http://api',
          fetch,
          token: refreshing,
          resume: FAST,
        }).final(),
      ).rejects.toMatchObject({ kind: 'unauthenticated', cause });
      expect(calls).toHaveLength(1);
    });

    it('fails resumeChat and stopStream as unauthenticated, sending nothing', async () => {
      const { fetch, calls } = scripted(() => sse(wire()));
      await expect(
        resumeChat({ streamId: STREAM_ID }, { baseUrl: 'http://api', fetch, token }).final(),
      ).rejects.toMatchObject({ kind: 'unauthenticated', cause });
      await expect(
        stopStream(STREAM_ID, { baseUrl: 'http://api', fetch, token }),
      ).rejects.toMatchObject({
        kind: 'unauthenticated',
        cause,
      });
      expect(calls).toHaveLength(0);
    });
  });
});
