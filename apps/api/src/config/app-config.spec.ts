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
      server: { port: 3000 },
      models: { provider: 'demo', defaultModel: 'demo', models: ['demo'] },
      streams: { heartbeatMs: 15_000 },
    });
  });

  it('chooses the openai provider and gpt-4o-mini once an API key is set', () => {
    const config = loadAppConfig({
      OPENAI_API_KEY: 'sk-x',
      OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1',
    });
    expect(config.models.provider).toBe('openai');
    expect(config.models.defaultModel).toBe('gpt-4o-mini');
    expect(config.models.deployments).toEqual({
      'gpt-4o-mini': [
        {
          kind: 'openai',
          name: '127.0.0.1:11434/gpt-4o-mini',
          weight: 1,
          baseUrl: 'http://127.0.0.1:11434/v1',
          apiKey: 'sk-x',
          model: 'gpt-4o-mini',
        },
      ],
    });
  });

  it('offers every model of CHAT_MODELS, trimmed and without duplicates', () => {
    const config = loadAppConfig({ CHAT_MODEL: 'b', CHAT_MODELS: ' a, b ,a,, c' });
    expect(config.models.models).toEqual(['a', 'b', 'c']);
    expect(config.models.defaultModel).toBe('b');
  });

  it('treats an empty variable as unset', () => {
    expect(loadAppConfig({ PORT: '', OPENAI_API_KEY: '' }).models.provider).toBe('demo');
  });

  it('refuses a store smaller than one stream at its size limit, and bounds readers by default', () => {
    expect(problemsOf({ STREAM_MAX_BYTES: '2048', STREAM_STORE_MAX_BYTES: '1024' })).toEqual([
      'STREAM_STORE_MAX_BYTES=1024: must be at least STREAM_MAX_BYTES (2048), as each running stream counts at STREAM_MAX_BYTES',
    ]);
    expect(loadAppConfig({}).streams).toMatchObject({
      maxStreamBytes: 1024 * 1024,
      maxStoreBytes: 1024 * 1024 * 1024,
      stallTimeoutMs: 30_000,
      maxReaders: { perStream: 16, perCaller: 64 },
    });
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

  it('binds the metrics listener to loopback unless told otherwise', () => {
    expect(loadAppConfig({ METRICS_PORT: '9464' }).metrics.host).toBe('127.0.0.1');
    expect(loadAppConfig({ METRICS_PORT: '9464', HOST: '0.0.0.0' }).metrics.host).toBe('127.0.0.1');
    expect(loadAppConfig({ METRICS_HOST: '0.0.0.0' }).metrics.host).toBe('0.0.0.0');
  });

  it('bounds a Redis command by REDIS_COMMAND_TIMEOUT_MS, 1000 ms unless told', () => {
    expect(loadAppConfig({}).redis.commandTimeoutMs).toBe(1_000);
    expect(loadAppConfig({ REDIS_COMMAND_TIMEOUT_MS: '250' }).redis.commandTimeoutMs).toBe(250);
    expect(problemsOf({ REDIS_COMMAND_TIMEOUT_MS: '0' })).toEqual([
      'REDIS_COMMAND_TIMEOUT_MS="0": expected at least 1',
    ]);
  });

  it('refuses credentials or a query in OPENAI_BASE_URL, which fetch and the SDK cannot use', () => {
    for (const url of [
      'http://user:s3cr3t@127.0.0.1:4010/v1',
      'http://sk-s3cr3t@127.0.0.1:4010/v1',
      'http://127.0.0.1:4010/v1?key=s3cr3t',
    ]) {
      const problems = problemsOf({ OPENAI_BASE_URL: url });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(
        /^OPENAI_BASE_URL="http:\/\/.*": expected no user, password or query in the URL; the key belongs in OPENAI_API_KEY$/,
      );
      expect(problems[0]).not.toContain('s3cr3t');
    }
  });

  it('shows a refused URL without its credentials', () => {
    const problems = problemsOf({
      OPENAI_BASE_URL: 'ftp://user:s3cr3t@llm.example.com/v1?key=s3cr3t',
      REDIS_URL: 'http://:s3cr3t@cache:6379',
    });
    expect(problems).toEqual([
      'REDIS_URL="http://:***@cache:6379/": expected a redis:// or rediss:// URL',
      'OPENAI_BASE_URL="ftp://***:***@llm.example.com/v1?key=***": expected an http(s) URL',
    ]);
  });

  it('reports every bad variable, one line each', () => {
    const problems = problemsOf({ CHAT_PROVIDER: 'anthropic', OPENAI_BASE_URL: 'localhost:1234' });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^CHAT_PROVIDER="anthropic": expected "demo" or "openai"$/);
    // Not a URL with a host: it could be `user:secret@host`, so it is masked whole.
    expect(problems[1]).toMatch(/^OPENAI_BASE_URL="\*\*\*": expected an http\(s\) URL$/);
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
      expect(loadAppConfig({}).auth).toEqual({
        modes: ['none'],
        signInUrl: undefined,
        adminGroups: [],
      });
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
      expect(auth.proxy).toMatchObject({
        userHeader: 'x-auth-request-user',
        emailHeader: 'x-auth-request-email',
        groupsHeader: 'x-auth-request-groups',
      });
      expect(auth.apiKeysFile).toBe('/etc/tokenstream/keys.json');
    });

    it('reads one family of identity headers, each of which a custom proxy may rename', () => {
      const proxy = (env: Record<string, string>) =>
        loadAppConfig({ AUTH_MODE: 'proxy', TRUSTED_PROXY_CIDRS: '10.0.0.1', ...env }).auth.proxy;
      expect(proxy({ PROXY_HEADERS: 'X-Forwarded' })).toMatchObject({
        userHeader: 'x-forwarded-user',
        emailHeader: 'x-forwarded-email',
        groupsHeader: 'x-forwarded-groups',
      });
      expect(
        proxy({ PROXY_USER_HEADER: 'Remote-User', PROXY_GROUPS_HEADER: 'Remote-Groups' }),
      ).toEqual({
        trustedCidrs: ['10.0.0.1'],
        userHeader: 'remote-user',
        emailHeader: 'x-auth-request-email',
        groupsHeader: 'remote-groups',
      });
    });

    it('refuses the replaced lists of identity headers, one line each, naming what replaced them', () => {
      expect(
        problemsOf({
          AUTH_MODE: 'proxy',
          TRUSTED_PROXY_CIDRS: '10.0.0.1',
          PROXY_USER_HEADERS: 'x-auth-request-user,x-forwarded-user',
          PROXY_GROUPS_HEADERS: 'x-auth-request-groups',
        }),
      ).toEqual([
        'PROXY_USER_HEADERS is no longer read: the identity comes from one header family, PROXY_HEADERS=x-auth-request|x-forwarded (or PROXY_USER_HEADER, one custom name)',
        'PROXY_GROUPS_HEADERS is no longer read: the identity comes from one header family, PROXY_HEADERS=x-auth-request|x-forwarded (or PROXY_GROUPS_HEADER, one custom name)',
      ]);
    });

    it('refuses to start in production without an explicit AUTH_MODE', () => {
      const unset: Record<string, string>[] = [{}, { AUTH_MODE: '' }];
      for (const env of unset) {
        expect(problemsOf({ NODE_ENV: 'production', ...env })).toEqual([
          'AUTH_MODE is unset: NODE_ENV=production needs an explicit choice; set AUTH_MODE=oidc|proxy|apikey, or AUTH_MODE=none to run open on purpose',
        ]);
      }
      const open = loadAppConfig({ NODE_ENV: 'production', AUTH_MODE: 'none' });
      expect(open).toMatchObject({ server: { production: true }, auth: { modes: ['none'] } });
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
        { AUTH_MODE: 'proxy', TRUSTED_PROXY_CIDRS: '10.0.0.1', PROXY_USER_HEADER: 'a, b' },
        /^PROXY_USER_HEADER="a, b": expected one header name$/,
      ],
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
