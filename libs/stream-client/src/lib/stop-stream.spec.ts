import { json, scripted } from '../testing/scripted-fetch';
import { stopStream } from './stop-stream';

const notFound = () =>
  json(404, { statusCode: 404, code: 'stream_not_found', message: 'No such stream.' });

describe('stopStream', () => {
  it('sends DELETE for the stream and resolves when the api accepts it', async () => {
    const { fetch, calls } = scripted(() => new Response(null, { status: 204 }));
    await expect(
      stopStream('s/1', { baseUrl: 'http://api', fetch, headers: { 'X-API-Key': 'k' } }),
    ).resolves.toBeUndefined();
    expect(calls).toEqual([
      expect.objectContaining({
        method: 'DELETE',
        url: 'http://api/api/streams/s%2F1',
        headers: { 'X-API-Key': 'k' },
      }),
    ]);
  });

  it('fails as gone when the api no longer has the stream', async () => {
    const { fetch } = scripted(notFound);
    await expect(stopStream('s-1', { baseUrl: 'http://api', fetch })).rejects.toMatchObject({
      kind: 'gone',
      status: 404,
      code: 'stream_not_found',
      retryable: false,
    });
  });

  it('fails as network when the api cannot be reached', async () => {
    const { fetch } = scripted();
    await expect(stopStream('s-1', { baseUrl: 'http://api', fetch })).rejects.toMatchObject({
      kind: 'network',
      retryable: true,
      cause: new TypeError('fetch failed'),
    });
  });

  it('fails as unauthenticated when the session is gone', async () => {
    const { fetch } = scripted(
      () => new Response(null, { status: 302, headers: { Location: '/login' } }),
    );
    await expect(stopStream('s-1', { baseUrl: 'http://api', fetch })).rejects.toMatchObject({
      kind: 'unauthenticated',
      status: 302,
    });
  });

  it('rejects with the signal’s reason when aborted', async () => {
    const { fetch, calls } = scripted(() => new Response(null, { status: 204 }));
    const reason = new Error('never mind');
    await expect(
      stopStream('s-1', { baseUrl: 'http://api', fetch, signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
    expect(calls).toHaveLength(0);
  });
});
