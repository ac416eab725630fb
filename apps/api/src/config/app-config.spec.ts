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
    expect(problemsOf({ REDIS_URL: 'http://cache:6379' })).toEqual([
      'REDIS_URL="http://cache:6379": expected a redis:// or rediss:// URL',
    ]);
    expect(problemsOf({ METRICS_PORT: 'on' })).toEqual([
      'METRICS_PORT="on": expected a whole number from 0 to 65535',
    ]);
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

  describe('authentication', () => {
    it('runs without authentication unless told otherwise', () => {
      expect(loadAppConfig({}).auth).toEqual({ modes: ['none'], signInUrl: undefined });
    });

    it('reads every method with its settings', () => {
      const { auth } = loadAppConfig({
        AUTH_MODE: 'oidc, proxy,apikey',
        OIDC_ISSUER: 'https://login.example.com/realms/acme',
        OIDC_AUDIENCE: 'tokenstream,api://tokenstream',
        TRUSTED_PROXY_CIDRS: '10.0.0.0/8, 127.0.0.1, ::1/128',
        API_KEYS_FILE: '/etc/tokenstream/keys.json',
      });
      expect(auth.modes).toEqual(['oidc', 'proxy', 'apikey']);
      expect(auth.oidc).toMatchObject({
        issuer: 'https://login.example.com/realms/acme',
        audience: ['tokenstream', 'api://tokenstream'],
        clockToleranceSeconds: 30,
        claims: { subject: 'sub', email: 'email', name: 'name', groups: 'groups' },
      });
      expect(auth.proxy?.trustedCidrs).toEqual(['10.0.0.0/8', '127.0.0.1', '::1/128']);
      expect(auth.proxy?.userHeaders).toEqual(['x-auth-request-user', 'x-forwarded-user']);
      expect(auth.apiKeysFile).toBe('/etc/tokenstream/keys.json');
    });

    it.each([
      [
        { AUTH_MODE: 'saml' },
        /^AUTH_MODE="saml": expected one or more of none, oidc, proxy, apikey/,
      ],
      [{ AUTH_MODE: 'none,apikey', API_KEYS_FILE: '/k' }, /cannot be combined/],
      [{ AUTH_MODE: 'oidc', OIDC_AUDIENCE: 'x' }, /^OIDC_ISSUER is unset/],
      [{ AUTH_MODE: 'oidc', OIDC_ISSUER: 'https://i.example' }, /^OIDC_AUDIENCE is unset/],
      [
        {
          AUTH_MODE: 'oidc',
          OIDC_ISSUER: 'https://i',
          OIDC_AUDIENCE: 'a',
          OIDC_ALGORITHMS: 'RS256,HS256',
        },
        /HS256 not allowed/,
      ],
      [{ AUTH_MODE: 'proxy' }, /^TRUSTED_PROXY_CIDRS is unset/],
      [
        { AUTH_MODE: 'proxy', TRUSTED_PROXY_CIDRS: '10.0.0.0/33' },
        /not CIDR blocks: 10\.0\.0\.0\/33/,
      ],
      [{ AUTH_MODE: 'apikey' }, /^API_KEYS_FILE is unset/],
      [
        { CHAT_MODELS: 'a,b', CHAT_MODEL: 'a', MODEL_GROUPS: 'c:admins' },
        /c is not one of CHAT_MODELS/,
      ],
      [
        { CHAT_MODELS: 'a,b', CHAT_MODEL: 'a', MODEL_GROUPS: 'b' },
        /expected model:group\|group entries/,
      ],
    ])('refuses %j with one line naming the problem', (env, problem) => {
      const problems = problemsOf(env);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(problem);
    });
  });
});
