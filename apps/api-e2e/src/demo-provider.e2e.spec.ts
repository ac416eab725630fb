import { WORKSPACE_VERSION } from '@tokenstream/e2e-support';
import { ApiPaths, type HealthResponse, type ModelsResponse } from '@tokenstream/stream-contracts';
import { useApiUnderTest } from './support/api-under-test';
import { chat } from './support/stream-client';

describe('with no configuration at all', () => {
  const app = useApiUnderTest();

  it('says it runs the demo model', async () => {
    const models = (await (
      await fetch(new URL(ApiPaths.models, app.url))
    ).json()) as ModelsResponse;
    expect(models).toEqual({ provider: 'demo', defaultModel: 'demo', models: ['demo'] });
    const health = (await (
      await fetch(new URL(ApiPaths.health, app.url))
    ).json()) as HealthResponse;
    expect(health).toMatchObject({
      status: 'ok',
      version: WORKSPACE_VERSION,
      live: true,
      ready: true,
      provider: 'demo',
      // The embedded database is not opened by a probe: it costs its first user seconds.
      database: 'embedded',
    });
    expect(app.api.logs.find((line) => 'url' in line)).toMatchObject({
      version: WORKSPACE_VERSION,
    });
  });

  it('streams a labelled demo reply at a realistic pace', async () => {
    const transcript = await chat(
      app.url,
      { messages: [{ role: 'user', content: 'Hello there' }] },
      30_000,
    );
    const deltas = transcript.frames.filter(({ frame }) => frame.type === 'text-delta');
    expect(transcript.text()).toContain('demo model');
    expect(transcript.text()).toContain('"Hello there"');
    expect(deltas.length).toBeGreaterThan(50);
    expect(deltas.at(-1)!.at - deltas[0].at).toBeGreaterThan(1000);
    expect(transcript.frames.at(-1)!.frame).toMatchObject({ type: 'finish', finishReason: 'stop' });
  });
});
