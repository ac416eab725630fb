import { ConfigError, loadAppConfig } from './app-config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadAppConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadAppConfig', () => {
  it('runs the demo model with documented defaults when nothing is configured', () => {
    const config = loadAppConfig({});
    expect(config).toMatchObject({
      port: 3000,
      provider: 'demo',
      defaultModel: 'demo',
      models: ['demo'],
      heartbeatMs: 15_000,
    });
  });

  it('chooses the openai provider and gpt-4o-mini once an API key is set', () => {
    const config = loadAppConfig({
      OPENAI_API_KEY: 'sk-x',
      OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1',
    });
    expect(config.provider).toBe('openai');
    expect(config.defaultModel).toBe('gpt-4o-mini');
    expect(config.openai).toEqual({ apiKey: 'sk-x', baseUrl: 'http://127.0.0.1:11434/v1' });
  });

  it('offers every model of CHAT_MODELS, trimmed and without duplicates', () => {
    const config = loadAppConfig({ CHAT_MODEL: 'b', CHAT_MODELS: ' a, b ,a,, c' });
    expect(config.models).toEqual(['a', 'b', 'c']);
    expect(config.defaultModel).toBe('b');
  });

  it('treats an empty variable as unset', () => {
    expect(loadAppConfig({ PORT: '', OPENAI_API_KEY: '' }).provider).toBe('demo');
  });

  it('names the variable, its value and what is expected for a bad number', () => {
    expect(problemsOf({ STREAM_HEARTBEAT_MS: 'soon' })).toEqual([
      'STREAM_HEARTBEAT_MS="soon": expected a whole number from 10 to 600000',
    ]);
    expect(problemsOf({ PORT: '70000' })).toEqual(['PORT="70000": expected at most 65535']);
  });

  it('reports every bad variable, one line each', () => {
    const problems = problemsOf({ CHAT_PROVIDER: 'anthropic', OPENAI_BASE_URL: 'localhost:1234' });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^CHAT_PROVIDER="anthropic": expected "demo" or "openai"$/);
    expect(problems[1]).toMatch(/^OPENAI_BASE_URL="localhost:1234": expected an http\(s\) URL$/);
  });

  it('refuses the openai provider without a key', () => {
    expect(problemsOf({ CHAT_PROVIDER: 'openai' })[0]).toMatch(/^OPENAI_API_KEY is unset/);
  });

  it('refuses a default model that is not among the offered ones', () => {
    expect(problemsOf({ CHAT_MODEL: 'x', CHAT_MODELS: 'a,b' })).toEqual([
      'CHAT_MODELS="a,b": must include CHAT_MODEL (x)',
    ]);
  });
});
