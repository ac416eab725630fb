import { ChatClientError } from './chat-client-error';
import { failureOf } from './response-failure';

function answer(
  status: number,
  contentType: string,
  body = '',
  headers: Record<string, string> = {},
) {
  return new Response(body, { status, headers: { 'Content-Type': contentType, ...headers } });
}

function apiError(
  status: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  return answer(
    status,
    'application/json; charset=utf-8',
    JSON.stringify({ statusCode: status, ...body }),
    headers,
  );
}

/** What a browser gives for a redirect that `redirect: 'manual'` did not follow. */
function opaqueRedirect(): Response {
  const response = Response.error();
  Object.defineProperty(response, 'type', { value: 'opaqueredirect' });
  return response;
}

const problems = [{ path: 'messages.0.content', message: 'Too long' }];

describe('failureOf', () => {
  it.each([
    ['a 200 event stream', () => answer(200, 'text/event-stream', 'data: {}\n\n')],
    [
      'a 200 event stream with parameters',
      () => answer(200, 'Text/Event-Stream; charset=utf-8', ':\n'),
    ],
  ])('lets %s through', async (_, response) => {
    await expect(failureOf(response())).resolves.toBeUndefined();
  });

  it.each<[string, () => Response, boolean, Partial<ChatClientError>]>([
    [
      'a 401',
      () => apiError(401, { code: 'unauthenticated', message: 'Sign in.' }),
      false,
      { kind: 'unauthenticated', status: 401, retryable: false },
    ],
    [
      'a 302 to a login page',
      () => new Response(null, { status: 302, headers: { Location: 'https://sso.example.com/' } }),
      false,
      { kind: 'unauthenticated', status: 302, retryable: false },
    ],
    [
      'an opaque redirect',
      opaqueRedirect,
      false,
      { kind: 'unauthenticated', status: undefined, retryable: false },
    ],
    [
      'a 200 HTML login page',
      () => answer(200, 'text/html; charset=utf-8', '<form>Sign in</form>'),
      false,
      { kind: 'unauthenticated', status: 200, retryable: false },
    ],
    [
      'a proxy’s 403 page',
      () => answer(403, 'text/html', '<h1>Forbidden</h1>'),
      false,
      { kind: 'unauthenticated', status: 403, retryable: false },
    ],
    [
      'the api’s 403',
      () => apiError(403, { code: 'model_not_allowed', message: 'Not for you.' }),
      false,
      {
        kind: 'rejected',
        status: 403,
        code: 'model_not_allowed',
        message: 'Not for you.',
        retryable: false,
      },
    ],
    [
      'a 400 with problems',
      () =>
        apiError(400, {
          code: 'invalid_request',
          message: 'Invalid request: messages.0.content',
          problems: [...problems, { path: 3 }],
          requestId: 'req-body',
        }),
      false,
      {
        kind: 'rejected',
        status: 400,
        code: 'invalid_request',
        message: 'Invalid request: messages.0.content',
        problems,
        requestId: 'req-body',
        retryable: false,
      },
    ],
    [
      'a 429 with Retry-After',
      () => apiError(429, { code: 'rate_limited', message: 'Slow down.' }, { 'Retry-After': '30' }),
      false,
      {
        kind: 'rejected',
        status: 429,
        code: 'rate_limited',
        retryAfterSeconds: 30,
        retryable: true,
      },
    ],
    [
      'a 408 from a proxy',
      () => answer(408, 'text/plain', 'Request Timeout'),
      false,
      { kind: 'rejected', status: 408, code: undefined, retryable: true },
    ],
    [
      'a 404 of the chat route',
      () => answer(404, 'text/plain', 'Not Found'),
      false,
      { kind: 'rejected', status: 404, retryable: false },
    ],
    [
      'the api’s 503 with Retry-After',
      () =>
        apiError(
          503,
          { code: 'server_shutting_down', message: 'Restarting.' },
          { 'Retry-After': '5' },
        ),
      false,
      {
        kind: 'unavailable',
        status: 503,
        code: 'server_shutting_down',
        retryAfterSeconds: 5,
        retryable: true,
      },
    ],
    [
      'a proxy’s 502 page, with a request id header',
      () => answer(502, 'text/html', '<h1>Bad Gateway</h1>', { 'X-Request-Id': 'req-header' }),
      false,
      { kind: 'unavailable', status: 502, requestId: 'req-header', retryable: true },
    ],
    [
      'a Retry-After that is a date',
      () => answer(503, 'text/plain', 'Busy', { 'Retry-After': 'Wed, 21 Oct 2026 07:28:00 GMT' }),
      false,
      { kind: 'unavailable', retryAfterSeconds: undefined },
    ],
    [
      'a 200 that is JSON, not a stream',
      () => answer(200, 'application/json', '{"ok":true}'),
      false,
      { kind: 'not-a-stream', status: 200, retryable: false },
    ],
    [
      'a 404 of a stream being resumed',
      () =>
        apiError(404, { code: 'stream_not_found', message: 'No such stream.', requestId: 'req-1' }),
      true,
      { kind: 'gone', status: 404, code: 'stream_not_found', requestId: 'req-1', retryable: false },
    ],
    [
      'a proxy’s 404 of a stream being resumed',
      () => answer(404, 'text/plain', 'Not Found'),
      true,
      { kind: 'gone', status: 404, retryable: false },
    ],
    [
      'a 503 of a stream being resumed',
      () => answer(503, 'text/plain', 'Busy'),
      true,
      { kind: 'unavailable', status: 503, retryable: true },
    ],
  ])('classifies %s', async (_, response, resuming, expected) => {
    const failure = await failureOf(response(), { resuming });
    expect(failure).toBeInstanceOf(ChatClientError);
    expect(failure).toMatchObject(expected);
  });

  it('never shows a user a raw body', async () => {
    const failure = await failureOf(
      answer(500, 'text/html', '<pre>Error: at Object.<anonymous></pre>'),
    );
    expect(failure?.message).toBe(
      'The chat service is unavailable right now (HTTP 500). Try again in a moment.',
    );
  });
});
