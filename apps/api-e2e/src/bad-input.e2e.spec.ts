import { ApiPaths, ChatRequestLimits, type ApiErrorBody } from '@tokenstream/stream-contracts';
import { useApiUnderTest } from './support/api-under-test';

describe('bad input is refused before the stream opens', () => {
  const app = useApiUnderTest({ env: { DEMO_TOKEN_DELAY_MS: '0' } });

  async function post(body: string, contentType = 'application/json') {
    const response = await fetch(new URL(ApiPaths.chatStream, app.url), {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    return { status: response.status, body: (await response.json()) as ApiErrorBody };
  }

  const user = (content: string) => ({ role: 'user', content });

  it.each([
    ['no messages', {}, 'messages'],
    ['an empty conversation', { messages: [] }, 'messages'],
    ['an unknown role', { messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role'],
    [
      'content that is not a string',
      { messages: [{ role: 'user', content: 42 }] },
      'messages[0].content',
    ],
    [
      'too many messages',
      { messages: Array.from({ length: ChatRequestLimits.maxMessages + 1 }, () => user('x')) },
      'messages',
    ],
    [
      'a message that is too long',
      { messages: [user('x'.repeat(ChatRequestLimits.maxMessageChars + 1))] },
      'messages[0].content',
    ],
    [
      'a conversation that is too large in all',
      {
        messages: Array.from({ length: 7 }, () =>
          user('x'.repeat(ChatRequestLimits.maxMessageChars)),
        ),
      },
      'messages',
    ],
    ['a temperature out of range', { messages: [user('x')], temperature: 3 }, 'temperature'],
    ['maxTokens that is not whole', { messages: [user('x')], maxTokens: 1.5 }, 'maxTokens'],
    ['an unknown field', { messages: [user('x')], stream: true }, '(body)'],
  ])('refuses %s with a 400 naming %s', async (_name, body, path) => {
    const response = await post(JSON.stringify(body));
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ statusCode: 400, code: 'invalid_request' });
    expect(response.body.problems?.map((problem) => problem.path)).toContain(path);
    expect(response.body.message).toContain(path);
  });

  it('refuses an unknown model with a 400 that lists the offered ones', async () => {
    const response = await post(JSON.stringify({ model: 'gpt-5', messages: [user('x')] }));
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'unknown_model' });
    expect(response.body.message).toContain('demo');
  });

  it('refuses a body that is not JSON', async () => {
    const response = await post('{"messages": [');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'invalid_request' });
  });

  it('refuses a body over the size limit with a 413', async () => {
    const response = await post(JSON.stringify({ messages: [user('x'.repeat(2_000_000))] }));
    expect(response.status).toBe(413);
  });

  it('answers unknown api routes with a JSON 404', async () => {
    const response = await fetch(new URL('/api/nothing-here', app.url));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ statusCode: 404 });
  });
});
