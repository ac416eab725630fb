import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadAppConfig } from './app-config';

const dir = mkdtempSync(join(tmpdir(), 'models-file-'));

/** Writes `text` as a models file named `name`; returns its path. */
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The lines a configuration is refused with. */
function problems(env: Record<string, string>): string[] {
  try {
    loadAppConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('accepted');
}

const TWO_REGIONS_AND_VLLM = `
defaultModel: gpt-4o
cooldownSeconds: 20
models:
  gpt-4o:
    fallbacks: [llama]
    groups: [staff]
    deployments:
      - name: sweden
        kind: azure-openai
        endpoint: https://acme-sweden.openai.azure.com
        deployment: gpt4o-prod
        apiVersion: 2024-10-21
        apiKeyEnv: AZURE_SWEDEN_KEY
        weight: 3
      - kind: azure-openai
        endpoint: https://acme-france.openai.azure.com
        deployment: gpt4o-prod
        apiVersion: 2024-10-21
        apiKeyEnv: AZURE_FRANCE_KEY
  llama:
    deployments:
      - kind: openai
        baseUrl: http://vllm.internal:8000/v1
        model: meta-llama/Llama-3.1-8B-Instruct
  demo:
    deployments: [{ kind: demo }]
`;

const KEYS = { AZURE_SWEDEN_KEY: 'k-se', AZURE_FRANCE_KEY: 'k-fr' };

describe('MODELS_FILE', () => {
  it('lists two Azure regions and a local vLLM in YAML, each deployment with its key from the environment', () => {
    const config = loadAppConfig({
      MODELS_FILE: file('models.yaml', TWO_REGIONS_AND_VLLM),
      ...KEYS,
    });
    expect(config.models.models).toEqual(['gpt-4o', 'llama', 'demo']);
    expect(config.models.defaultModel).toBe('gpt-4o');
    expect(config.models.provider).toBe('openai');
    expect(config.models.modelGroups).toEqual({ 'gpt-4o': ['staff'] });
    expect(config.models.fallbacks).toEqual({ 'gpt-4o': ['llama'], llama: [], demo: [] });
    expect(config.models.cooldownMs).toBe(20_000);
    expect(config.models.deployments['gpt-4o']).toEqual([
      {
        name: 'sweden',
        kind: 'azure-openai',
        endpoint: 'https://acme-sweden.openai.azure.com',
        deployment: 'gpt4o-prod',
        apiVersion: '2024-10-21',
        apiKey: 'k-se',
        weight: 3,
      },
      expect.objectContaining({
        name: 'acme-france.openai.azure.com/gpt4o-prod',
        apiKey: 'k-fr',
        weight: 1,
      }),
    ]);
    expect(config.models.deployments['llama']).toEqual([
      expect.objectContaining({
        kind: 'openai',
        name: 'vllm.internal:8000/meta-llama/Llama-3.1-8B-Instruct',
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        apiKey: 'none',
      }),
    ]);
    expect(config.models.deployments['demo']).toEqual([{ kind: 'demo', name: 'demo', weight: 1 }]);
  });

  it('reads the same file as JSON', () => {
    const json = JSON.stringify({
      models: {
        'gpt-4o-mini': {
          deployments: [
            { kind: 'openai', apiKeyEnv: 'OPENAI_API_KEY', firstTokenTimeoutSeconds: 2.5 },
          ],
        },
      },
    });
    const config = loadAppConfig({ MODELS_FILE: file('models.json', json), OPENAI_API_KEY: 'sk' });
    expect(config.models.defaultModel).toBe('gpt-4o-mini');
    expect(config.models.deployments['gpt-4o-mini']).toEqual([
      expect.objectContaining({
        name: 'api.openai.com/gpt-4o-mini',
        baseUrl: undefined,
        apiKey: 'sk',
        firstTokenTimeoutMs: 2_500,
      }),
    ]);
  });

  it('refuses a file with one line per problem, each naming the file and the place', () => {
    const bad = `
models:
  gpt-4o:
    fallbacks: [gpt-5, gpt-4o]
    deployments:
      - kind: azure-openai
        endpoint: not a url
        deployment: x
        apiVersion: 2024-10-21
        apiKeyEnv: AZURE_KEY
      - kind: anthropic
`;
    const path = file('bad.yaml', bad);
    const lines = problems({ MODELS_FILE: path });
    expect(lines).toEqual([
      `MODELS_FILE="${path}": models.gpt-4o.deployments[0].endpoint: expected an http(s) URL`,
      `MODELS_FILE="${path}": models.gpt-4o.deployments[1].kind: expected kind "openai", "azure-openai" or "demo"`,
    ]);
    const crossChecked = file(
      'cross.yaml',
      `
defaultModel: gpt-5
models:
  gpt-4o:
    fallbacks: [gpt-5, gpt-4o]
    deployments:
      - { kind: azure-openai, endpoint: "https://a.openai.azure.com", deployment: x, apiVersion: "1", apiKeyEnv: AZURE_KEY }
      - { kind: azure-openai, endpoint: "https://a.openai.azure.com", deployment: x, apiVersion: "1", apiKeyEnv: AZURE_KEY }
`,
    );
    expect(problems({ MODELS_FILE: crossChecked })).toEqual([
      `MODELS_FILE="${crossChecked}": models.gpt-4o.deployments[0].apiKeyEnv: AZURE_KEY is not set`,
      `MODELS_FILE="${crossChecked}": models.gpt-4o.deployments[1]: the name a.openai.azure.com/x is taken; give each deployment its own name`,
      `MODELS_FILE="${crossChecked}": models.gpt-4o.deployments[1].apiKeyEnv: AZURE_KEY is not set`,
      `MODELS_FILE="${crossChecked}": models.gpt-4o.fallbacks: gpt-5 is not one of the file's models`,
      `MODELS_FILE="${crossChecked}": models.gpt-4o.fallbacks: gpt-4o cannot fall back to itself`,
      `MODELS_FILE="${crossChecked}": defaultModel: gpt-5 is not one of the file's chat models`,
    ]);
  });

  it('says what is wrong with a file that cannot be read or parsed', () => {
    expect(problems({ MODELS_FILE: join(dir, 'missing.yaml') })).toEqual([
      `MODELS_FILE="${join(dir, 'missing.yaml')}": cannot be read (ENOENT)`,
    ]);
    const broken = file('broken.json', '{"models": ');
    expect(problems({ MODELS_FILE: broken })[0]).toMatch(
      /^MODELS_FILE=".*broken.json": not valid JSON: /,
    );
    const text = file('models.txt', 'models: {}');
    expect(problems({ MODELS_FILE: text })).toEqual([
      `MODELS_FILE="${text}": expected a .json, .yaml or .yml file`,
    ]);
    const empty = file('empty.yaml', 'models: {}');
    expect(problems({ MODELS_FILE: empty })).toEqual([
      `MODELS_FILE="${empty}": models: expected at least one model`,
    ]);
  });

  it('is not read beside the one-upstream variables it replaces', () => {
    const path = file('models.yaml', TWO_REGIONS_AND_VLLM);
    expect(
      problems({ MODELS_FILE: path, ...KEYS, CHAT_MODELS: 'a,b', OPENAI_BASE_URL: 'http://x/v1' }),
    ).toEqual([
      'CHAT_MODELS is set beside MODELS_FILE: the file lists the models and where they go; unset CHAT_MODELS',
      'OPENAI_BASE_URL is set beside MODELS_FILE: the file lists the models and where they go; unset OPENAI_BASE_URL',
    ]);
  });
});
