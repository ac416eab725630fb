import { spawnApi, startApi } from './support/api-process';
import { openStream, readStream } from './support/stream-client';

describe('process lifecycle', () => {
  it('ends open streams with a retryable server_shutting_down frame on SIGTERM, then exits cleanly', async () => {
    const api = await startApi({ DEMO_TOKEN_DELAY_MS: '100' });
    const response = await openStream(api.url, { messages: [{ role: 'user', content: 'Hi' }] });
    const reading = readStream(response, { timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const exitCode = api.stop('SIGTERM');
    const transcript = await reading;
    expect(transcript.frames.length).toBeGreaterThan(2);
    expect(transcript.frames.at(-1)!.frame).toMatchObject({
      type: 'error',
      code: 'server_shutting_down',
      retryable: true,
    });
    // Nest re-raises the signal once its shutdown hooks have run, as a process manager expects.
    expect(await exitCode).toEqual({ code: null, signal: 'SIGTERM' });
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
});
