import { TestBed } from '@angular/core/testing';
import { ChatRequest } from '@tokenstream/stream-contracts';
import { Observable } from 'rxjs';
import { CHAT_AUTH_TOKEN, ChatAuthTokenProvider } from './auth-token';
import { ReplyStreams } from './reply-streams';
import { ChatClientError, ChatStreamEvent } from '@tokenstream/stream-client';
import { CHAT_STREAM_POLICY, DEFAULT_CHAT_STREAM_POLICY } from './chat-stream-policy';
import { CurrentUser } from './current-user';
import { ModelChoices } from './model-choices';

const request: ChatRequest = { messages: [{ role: 'user', content: 'Hi' }] };
const WIRE =
  'id: 1\ndata: {"type":"start","streamId":"s-1","model":"demo"}\n\n' +
  'id: 2\ndata: {"type":"finish","finishReason":"stop"}\n\n';

type FetchStub = jest.Mock<Promise<Response>, [RequestInfo | URL, RequestInit?]>;

/** Answers every request for what its path asks, and records each one. */
function stubFetch(): FetchStub {
  const stub: FetchStub = jest.fn(async (input) => {
    const path = String(input);
    if (path === '/api/me') {
      return Response.json({
        id: 'proxy:alice',
        kind: 'user',
        via: 'proxy',
        groups: [],
        models: [],
      });
    }
    if (path === '/api/models') {
      return Response.json({ provider: 'demo', defaultModel: 'demo', models: ['demo'] });
    }
    if (path === '/api/streams/s-1') return new Response(null, { status: 204 });
    return new Response(WIRE, {
      headers: { 'Content-Type': 'text/event-stream', 'X-Stream-Id': 's-1' },
    });
  });
  globalThis.fetch = stub as unknown as typeof fetch;
  return stub;
}

function end(events$: Observable<ChatStreamEvent>): Promise<unknown> {
  return new Promise((resolve) =>
    events$.subscribe({ error: resolve, complete: () => resolve(undefined) }),
  );
}

function authorizationOfCalls(stub: FetchStub): (string | null)[] {
  return stub.mock.calls.map(([, init]) => new Headers(init?.headers).get('Authorization'));
}

describe('CHAT_AUTH_TOKEN', () => {
  const originalFetch = globalThis.fetch;
  let fetchStub: FetchStub;

  function setUp(token?: ChatAuthTokenProvider): void {
    TestBed.configureTestingModule({
      providers: [
        { provide: CHAT_STREAM_POLICY, useValue: DEFAULT_CHAT_STREAM_POLICY },
        ...(token ? [{ provide: CHAT_AUTH_TOKEN, useValue: token }] : []),
      ],
    });
    fetchStub = stubFetch();
  }

  /** Every request the chat makes: start, resume, stop, who am I, which models. */
  async function makeEveryRequest(): Promise<void> {
    const streams = TestBed.inject(ReplyStreams);
    expect(await end(streams.stream(request))).toBeUndefined();
    expect(await end(streams.resume('s-1', '1'))).toBeUndefined();
    await streams.stop('s-1');
    await TestBed.inject(CurrentUser).load();
    await TestBed.inject(ModelChoices).load();
  }

  afterEach(() => {
    globalThis.fetch = originalFetch;
  });

  it('sends no Authorization header by default (the SSO cookie is the credential)', async () => {
    setUp();
    await makeEveryRequest();

    expect(fetchStub).toHaveBeenCalledTimes(5);
    expect(authorizationOfCalls(fetchStub)).toEqual([null, null, null, null, null]);
  });

  it('sends Authorization: Bearer with the provided token on start, resume, stop, me and models', async () => {
    setUp(() => 'token-1');
    await makeEveryRequest();

    expect(fetchStub.mock.calls.map(([url, init]) => `${init?.method ?? 'GET'} ${url}`)).toEqual([
      'POST /api/chat/stream',
      'GET /api/streams/s-1/events',
      'DELETE /api/streams/s-1',
      'GET /api/me',
      'GET /api/models',
    ]);
    expect(authorizationOfCalls(fetchStub)).toEqual(Array(5).fill('Bearer token-1'));
  });

  it('asks for the token before each request, so a refreshed token is used (async providers too)', async () => {
    let issued = 0;
    setUp(async () => `token-${++issued}`);
    await makeEveryRequest();

    expect(authorizationOfCalls(fetchStub)).toEqual([
      'Bearer token-1',
      'Bearer token-2',
      'Bearer token-3',
      'Bearer token-4',
      'Bearer token-5',
    ]);
  });

  it('sends no header when the provider has no token right now', async () => {
    setUp(async () => undefined);
    await makeEveryRequest();

    expect(authorizationOfCalls(fetchStub)).toEqual([null, null, null, null, null]);
  });

  it('fails as unauthenticated, sending nothing, when the provider cannot give a token', async () => {
    setUp(() => Promise.reject(new Error('refresh token expired')));
    const streams = TestBed.inject(ReplyStreams);

    const error = await end(streams.stream(request));
    expect(error).toBeInstanceOf(ChatClientError);
    expect(error).toMatchObject({ kind: 'unauthenticated', retryable: false });
    await expect(streams.stop('s-1')).rejects.toMatchObject({ kind: 'unauthenticated' });
    await expect(TestBed.inject(CurrentUser).load()).rejects.toMatchObject({
      kind: 'unauthenticated',
    });
    expect(fetchStub).not.toHaveBeenCalled();
  });
});
