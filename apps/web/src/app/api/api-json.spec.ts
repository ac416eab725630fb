import { ChatClientError } from '@tokenstream/stream-client';
import { TestBed } from '@angular/core/testing';
import { CurrentUser } from './current-user';
import { ModelChoices } from './model-choices';

describe('CurrentUser and ModelChoices when the session is gone', () => {
  const originalFetch = globalThis.fetch;
  afterEach(() => {
    globalThis.fetch = originalFetch;
  });

  function answer(response: Response): jest.Mock {
    const stub = jest.fn(async () => response);
    globalThis.fetch = stub as unknown as typeof fetch;
    return stub;
  }

  it('fail as unauthenticated on the api 401', async () => {
    answer(Response.json({ code: 'unauthenticated', message: 'no' }, { status: 401 }));
    const error = await TestBed.inject(CurrentUser)
      .load()
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ChatClientError);
    expect(error).toMatchObject({ kind: 'unauthenticated', status: 401 });
  });

  it('fail as unauthenticated on a login page where JSON should be, and do not follow redirects', async () => {
    const stub = answer(
      new Response('<html>Sign in</html>', { headers: { 'Content-Type': 'text/html' } }),
    );

    await expect(TestBed.inject(ModelChoices).load()).rejects.toMatchObject({
      kind: 'unauthenticated',
    });
    expect(stub.mock.calls[0]).toEqual([
      '/api/models',
      expect.objectContaining({ redirect: 'manual', credentials: 'same-origin' }),
    ]);
  });

  it('fail with a plain error, not unauthenticated, when the api is down', async () => {
    answer(Response.json({ code: 'internal', message: 'boom' }, { status: 500 }));

    const error = await TestBed.inject(CurrentUser)
      .load()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ChatClientError);
  });
});
