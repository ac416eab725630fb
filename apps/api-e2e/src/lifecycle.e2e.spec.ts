import { readStream, spawnApi, startApi } from '@tokenstream/e2e-support';
import { ApiPaths } from '@tokenstream/stream-contracts';
import { openStream } from './support/stream-client';

const hi = { messages: [{ role: 'user', content: 'Hi' }] };

describe('process lifecycle', () => {
  it('on SIGTERM lets a reply in flight finish within the drain time, refusing new streams with 503', async () => {
    // The demo reply takes about 1.5 s at 10 ms a token: well inside a 10 s drain.
    const api = await startApi({ DEMO_TOKEN_DELAY_MS: '10', STREAM_DRAIN_MS: '10000' });
    const reading = readStream(await openStream(api.url, hi), { timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exited = api.stop('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));

    const refused = await openStream(api.url, hi);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.json()).toMatchObject({ code: 'server_shutting_down' });
    // Not ready, so balancers move on; still live, so nothing restarts it mid-drain.
    for (const path of [ApiPaths.health, ApiPaths.healthReady]) {
      const health = await fetch(new URL(path, api.url));
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ status: 'shutting_down', ready: false });
    }
    const live = await fetch(new URL(ApiPaths.healthLive, api.url));
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({
      live: true,
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });

    const transcript = await reading;
    expect(transcript.frames.at(-1)!.frame).toMatchObject({ type: 'finish', finishReason: 'stop' });
    expect(transcript.text()).toContain('demo model');
    // Nest re-raises the signal once its shutdown hooks have run, as a process manager expects.
    expect(await exited).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('ends what is still running after the drain time with a retryable server_shutting_down frame', async () => {
    const api = await startApi({ DEMO_TOKEN_DELAY_MS: '100', STREAM_DRAIN_MS: '300' });
    const reading = readStream(await openStream(api.url, hi), { timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const exited = api.stop('SIGTERM');
    const transcript = await reading;
    expect(transcript.frames.length).toBeGreaterThan(2);
    expect(transcript.frames.at(-1)!.frame).toMatchObject({
      type: 'error',
      code: 'server_shutting_down',
      retryable: true,
    });
    expect(await exited).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('refuses to start on a bad setting, with one line naming it', async () => {
    const { child, exited } = spawnApi({ STREAM_HEARTBEAT_MS: 'often' });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await exited).toEqual({ code: 1, signal: null });
    expect(stderr.trim().split('\n')).toEqual([
      'tokenstream api: invalid configuration: STREAM_HEARTBEAT_MS="often": expected a whole number from 10 to 600000',
    ]);
  });

  it.each([
    [
      'an OIDC issuer over plain http off loopback',
      { AUTH_MODE: 'oidc', OIDC_ISSUER: 'http://login.example.com', OIDC_AUDIENCE: 'tokenstream' },
      /^tokenstream api: invalid configuration: OIDC issuer: /,
    ],
    [
      'a missing keys file',
      { AUTH_MODE: 'apikey', API_KEYS_FILE: '/nonexistent/keys.json' },
      /^tokenstream api: invalid configuration: API_KEYS_FILE \/nonexistent\/keys\.json: /,
    ],
  ])('refuses to start with %s, in one line', async (_name, env, line) => {
    const { child, exited } = spawnApi(env);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await exited).toEqual({ code: 1, signal: null });
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
  });
});
