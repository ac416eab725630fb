import {
  readStream,
  replyOf,
  spawnApi,
  waitForLog,
  writeModelsFile,
  type ApiProcess,
} from '@tokenstream/e2e-support';
import { type MockOpenAi } from '@tokenstream/mock-openai';
import OpenAI from 'openai';
import { useApiUnderTest } from './support/api-under-test';

const DEPLOYMENT_HEADER = 'x-tokenstream-deployment';
const hi: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hi' }];

/**
 * `gpt-4o` in two places (an OpenAI-compatible server and an Azure-style one, equal weights),
 * falling back to `backup` on a third.
 */
function threeUpstreams(eu: MockOpenAi, azure: MockOpenAi, backup: MockOpenAi): string {
  return writeModelsFile(
    `
defaultModel: gpt-4o
cooldownSeconds: 30
models:
  gpt-4o:
    fallbacks: [backup]
    deployments:
      - name: eu
        kind: openai
        baseUrl: ${eu.url}
        apiKeyEnv: EU_KEY
        model: gpt-4o-2024-08-06
      - name: azure
        kind: azure-openai
        endpoint: ${azure.origin}
        deployment: gpt4o-prod
        apiVersion: 2024-10-21
        apiKeyEnv: AZURE_KEY
  backup:
    deployments:
      - name: backup
        kind: openai
        baseUrl: ${backup.url}
        apiKeyEnv: BACKUP_KEY
`,
  );
}

/** Each deployment's seconds of cooldown left, as an operator's Prometheus scrapes them. */
async function cooldownSeconds(api: ApiProcess): Promise<Record<string, number>> {
  const listening = await waitForLog(api, (line) => typeof line['metricsUrl'] === 'string');
  const text = await (await fetch(String(listening['metricsUrl']))).text();
  const found = text.matchAll(
    /^tokenstream_deployment_cooldown_seconds\{deployment="(\w+)"\} (\S+)$/gm,
  );
  return Object.fromEntries([...found].map(([, name, seconds]) => [name, Number(seconds)]));
}

const KEYS = { EU_KEY: 'sk-eu', AZURE_KEY: 'azure-secret', BACKUP_KEY: 'sk-backup' };

describe('several upstreams from a models file', () => {
  const app = useApiUnderTest({
    upstreams: {
      eu: { reply: 'from eu', chunks: 3, chunkDelayMs: 5 },
      azure: { reply: 'from azure', chunks: 3, chunkDelayMs: 5 },
      backup: { reply: 'from backup', chunks: 3, chunkDelayMs: 5 },
    },
    env: ({ eu, azure, backup }) => ({
      MODELS_FILE: threeUpstreams(eu, azure, backup),
      ...KEYS,
      // Forty-odd requests in a minute: more than the default limit lets one caller start.
      LIMIT_REQUESTS_PER_MINUTE: '0',
      METRICS_PORT: '0',
    }),
  });
  let client: OpenAI;

  beforeAll(() => {
    client = new OpenAI({ apiKey: 'unused', baseURL: `${app.url}/v1`, maxRetries: 0 });
  });

  /** One whole completion, with the deployment the api says answered it. */
  async function ask(model = 'gpt-4o') {
    const { data, response } = await client.chat.completions
      .create({ model, messages: hi })
      .withResponse();
    return {
      text: data.choices[0].message.content,
      deployment: response.headers.get(DEPLOYMENT_HEADER),
    };
  }

  it('spreads requests over both deployments, each called as it expects', async () => {
    const { eu, azure, backup } = app.upstreams;
    const answers: Awaited<ReturnType<typeof ask>>[] = [];
    for (let i = 0; i < 16; i += 1) answers.push(await ask());
    const byDeployment = (name: string) => answers.filter((answer) => answer.deployment === name);
    // Equal weights: 16 requests all on one side would happen once in 32,768 runs.
    expect(byDeployment('eu').length).toBeGreaterThan(0);
    expect(byDeployment('azure').length).toBeGreaterThan(0);
    expect(byDeployment('eu').every((answer) => answer.text === 'from eu')).toBe(true);
    expect(byDeployment('azure').every((answer) => answer.text === 'from azure')).toBe(true);
    expect(eu.stats().requests + azure.stats().requests).toBe(16);
    expect(backup.stats().requests).toBe(0);

    // Azure's path, version and key header; the other's own model name and bearer key.
    expect(azure.stats().lastRequest).toMatchObject({
      path: '/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21',
      apiKey: 'azure-secret',
      authorization: undefined,
    });
    expect(eu.stats().lastRequest).toMatchObject({
      path: '/v1/chat/completions',
      authorization: 'Bearer sk-eu',
      body: { model: 'gpt-4o-2024-08-06' },
    });
  });

  it('sends traffic to the other deployment while one answers 429, honouring its Retry-After', async () => {
    const { eu } = app.upstreams;
    eu.configure({ fault: 'status', faultStatus: 429, faultRetryAfterSeconds: 2, faultCount: 1 });
    // Until eu is drawn (each request, one chance in two) and answers its 429, and after it:
    // every request is answered, by azure.
    const answers: Awaited<ReturnType<typeof ask>>[] = [];
    for (let i = 0; i < 30 && eu.stats().requests === 0; i += 1) answers.push(await ask());
    expect(eu.stats().requests).toBe(1);
    for (let i = 0; i < 6; i += 1) answers.push(await ask());
    expect(answers.every((answer) => answer.deployment === 'azure')).toBe(true);
    expect(eu.stats().requests).toBe(1);
    await waitForLog(app.api, (line) => String(line.msg).includes('failed before any'));
    const failed = app.api.logs.filter((line) => String(line.msg).includes('failed before any'));
    expect(failed.map((line) => line['deployment'])).toEqual(['eu']);
    const cooling = await cooldownSeconds(app.api);
    expect(cooling).toMatchObject({ azure: 0, backup: 0 });
    expect(cooling['eu']).toBeGreaterThan(0);
    expect(cooling['eu']).toBeLessThanOrEqual(2);

    // Cooled down for its Retry-After (2 s), not the file's 30 s: back in the spread after it.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect(await cooldownSeconds(app.api)).toEqual({ eu: 0, azure: 0, backup: 0 });
    const later: Awaited<ReturnType<typeof ask>>[] = [];
    for (let i = 0; i < 30 && !later.some((answer) => answer.deployment === 'eu'); i += 1) {
      later.push(await ask());
    }
    expect(later.at(-1)).toEqual({ text: 'from eu', deployment: 'eu' });
  });

  it('answers with the fallback model when both deployments fail before any text', async () => {
    const { eu, azure, backup } = app.upstreams;
    for (const mock of [eu, azure]) {
      mock.configure({ fault: 'status', faultStatus: 500, faultCount: Infinity });
    }
    try {
      const stream = client.chat.completions.stream({ model: 'gpt-4o', messages: hi });
      const completion = await stream.finalChatCompletion();
      expect(completion.choices[0].message.content).toBe('from backup');
      expect(backup.stats().requests).toBe(1);
      const ended = await waitForLog(
        app.api,
        (line) => line.msg === 'stream ended' && line['deployment'] === 'backup',
      );
      expect(ended).toMatchObject({ model: 'gpt-4o', servedModel: 'backup', deployment: 'backup' });
      // While they cool down, the next request goes straight to the fallback.
      const next = await ask();
      expect(next).toEqual({ text: 'from backup', deployment: 'backup' });
      expect(eu.stats().requests + azure.stats().requests).toBe(2);
    } finally {
      for (const mock of [eu, azure]) mock.configure({ fault: 'none' });
    }
  });
});

describe('a failure after text', () => {
  const app = useApiUnderTest({
    upstreams: {
      first: { reply: 'one two three four five six', chunks: 6, chunkDelayMs: 10 },
      second: { reply: 'never sent', chunks: 2 },
    },
    env: ({ first, second }) => ({
      MODELS_FILE: writeModelsFile(
        JSON.stringify({
          models: {
            'gpt-4o': {
              deployments: [
                { name: 'first', kind: 'openai', baseUrl: first.url, weight: 1_000_000 },
                { name: 'second', kind: 'openai', baseUrl: second.url, weight: 0.000001 },
              ],
            },
          },
        }),
        'models.json',
      ),
    }),
  });

  it('is a typed error, and no text is ever sent twice', async () => {
    app.upstreams.first.configure({ fault: 'cut', cutAfterChunks: 3, faultCount: Infinity });
    const response = await fetch(`${app.url}/api/chat/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }] }),
    });
    const { frames } = await readStream(response);
    const text = replyOf(frames).text;
    expect('one two three four five six'.startsWith(text)).toBe(true);
    expect(text.length).toBeGreaterThan(0);
    expect(frames.at(-1)?.frame).toMatchObject({ type: 'error', code: 'upstream_unavailable' });
    expect(app.upstreams.second.stats().requests).toBe(0);
  });
});

describe('a deployment too slow to start', () => {
  const app = useApiUnderTest({
    upstreams: {
      slow: { reply: 'slow', chunks: 2, firstTokenDelayMs: 5_000 },
      quick: { reply: 'quick', chunks: 2 },
    },
    env: ({ slow, quick }) => ({
      MODELS_FILE: writeModelsFile(`
models:
  gpt-4o:
    deployments:
      - { name: slow, kind: openai, baseUrl: "${slow.url}", weight: 1000000, firstTokenTimeoutSeconds: 0.5 }
      - { name: quick, kind: openai, baseUrl: "${quick.url}", weight: 0.000001 }
`),
    }),
  });

  it('is left for the next once its own first-token limit passes, and its request aborted', async () => {
    const client = new OpenAI({ apiKey: 'unused', baseURL: `${app.url}/v1`, maxRetries: 0 });
    const started = Date.now();
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o', messages: hi, stream: true })
      .withResponse();
    let text = '';
    for await (const chunk of data) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('quick');
    expect(response.headers.get(DEPLOYMENT_HEADER)).toBe('quick');
    // Half a second on the slow one, not the five it would have taken.
    expect(Date.now() - started).toBeLessThan(3_000);
    await app.upstreams.slow.waitFor((stats) => stats.streamsAborted === 1);
  });
});

describe('cooldowns shared through Redis', () => {
  const app = useApiUnderTest({
    upstreams: {
      limited: { reply: 'limited', chunks: 2 },
      healthy: { reply: 'healthy', chunks: 2 },
    },
    redis: true,
    apis: 2,
    env: ({ limited, healthy }) => ({
      MODELS_FILE: writeModelsFile(
        `
models:
  gpt-4o:
    deployments:
      - { name: limited, kind: openai, baseUrl: "${limited.url}", weight: 1000 }
      - { name: healthy, kind: openai, baseUrl: "${healthy.url}", weight: 1 }
`,
      ),
      METRICS_PORT: '0',
    }),
  });

  it('keeps every instance off a deployment one of them saw answer 429', async () => {
    const { limited } = app.upstreams;
    limited.configure({
      fault: 'status',
      faultStatus: 429,
      faultRetryAfterSeconds: 30,
      faultCount: 1,
    });
    const [one, two] = app.apis.map(
      (api) => new OpenAI({ apiKey: 'unused', baseURL: `${api.url}/v1`, maxRetries: 0 }),
    );
    // `limited` weighs 1000 times more: the first request goes to it, gets the 429, and is
    // answered by `healthy`.
    const first = await one.chat.completions.create({ model: 'gpt-4o', messages: hi });
    expect(first.choices[0].message.content).toBe('healthy');
    expect(limited.stats().requests).toBe(1);
    // The other instance shows it cooling down for its Retry-After, and never asks it meanwhile.
    const cooling = await cooldownSeconds(app.apis[1]);
    expect(cooling['limited']).toBeGreaterThan(25);
    expect(cooling['healthy']).toBe(0);
    for (let i = 0; i < 5; i += 1) {
      const answer = await two.chat.completions.create({ model: 'gpt-4o', messages: hi });
      expect(answer.choices[0].message.content).toBe('healthy');
    }
    expect(limited.stats().requests).toBe(1);
  });
});

describe('a region taken down', () => {
  const app = useApiUnderTest({
    upstreams: {
      west: { reply: 'from west', chunks: 2 },
      east: { reply: 'from east', chunks: 2 },
    },
    env: ({ west, east }) => ({
      MODELS_FILE: writeModelsFile(
        `
models:
  gpt-4o:
    deployments:
      - { name: west, kind: openai, baseUrl: "${west.url}" }
      - { name: east, kind: openai, baseUrl: "${east.url}" }
`,
      ),
      LIMIT_REQUESTS_PER_MINUTE: '0',
      METRICS_PORT: '0',
    }),
  });

  it('is not noticed by callers: the next request after it goes is answered by the other, and it is left alone', async () => {
    const { west } = app.upstreams;
    const client = new OpenAI({ apiKey: 'unused', baseURL: `${app.url}/v1`, maxRetries: 0 });
    const ask = async () => {
      const { data, response } = await client.chat.completions
        .create({ model: 'gpt-4o', messages: hi })
        .withResponse();
      return [response.headers.get(DEPLOYMENT_HEADER), data.choices[0].message.content];
    };
    const before: (string | null)[][] = [];
    for (let i = 0; i < 12; i += 1) before.push(await ask());
    expect(new Set(before.map(([deployment]) => deployment))).toEqual(new Set(['west', 'east']));

    await west.close(); // the region goes: its port refuses connections from now on
    // Until a request draws west (one chance in two each) and finds it gone, and six after that.
    const wentTo = () =>
      app.api.logs.filter((line) => line['deployment'] === 'west' && line['level'] === 40);
    const after: (string | null)[][] = [];
    for (let i = 0; i < 40 && wentTo().length === 0; i += 1) after.push(await ask());
    await waitForLog(app.api, (line) => line['deployment'] === 'west' && line['level'] === 40);
    for (let i = 0; i < 6; i += 1) after.push(await ask());

    // Every caller answered, by the region still up; the one gone was tried once, then left alone.
    expect(after.every(([deployment, text]) => deployment === 'east' && text === 'from east')).toBe(
      true,
    );
    expect(wentTo().map((line) => line['cause'])).toEqual(['connection-failed']);
    expect((await cooldownSeconds(app.api))['west']).toBeGreaterThan(20);
  });
});

describe('limits of a model', () => {
  const app = useApiUnderTest({
    env: () => ({
      MODELS_FILE: writeModelsFile(`
models:
  small:
    deployments: [{ kind: demo }]
  big:
    limits: { requestsPerMinute: 1 }
    deployments: [{ kind: demo }]
`),
      DEMO_TOKEN_DELAY_MS: '0',
    }),
  });

  /** One whole reply from `model`, or its refusal's status and message. */
  async function ask(model: string) {
    const response = await fetch(`${app.url}/api/chat/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    const body = await response.text();
    return {
      status: response.status,
      message: response.status === 200 ? '' : JSON.parse(body).message,
    };
  }

  it('holds each caller to the model’s own limit, and leaves the other models alone', async () => {
    expect((await ask('big')).status).toBe(200);
    expect(await ask('big')).toEqual({
      status: 429,
      message: expect.stringMatching(/^With big: you have started 1 reply in the last minute/),
    });
    expect((await ask('small')).status).toBe(200);
    expect((await ask('small')).status).toBe(200);
  });
});

describe('a models file with problems', () => {
  it('stops the api with one line per problem, naming the file and the place', async () => {
    const file = writeModelsFile(
      `
models:
  gpt-4o:
    fallbacks: [nope]
    deployments:
      - { kind: azure-openai, endpoint: "https://a.openai.azure.com", deployment: x, apiVersion: "1", apiKeyEnv: MISSING_KEY }
`,
    );
    const { child, exited } = spawnApi({ MODELS_FILE: file });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await exited).toEqual({ code: 1, signal: null });
    expect(stderr.trim().split('\n')).toEqual([
      `tokenstream api: invalid configuration: MODELS_FILE="${file}": models.gpt-4o.deployments[0].apiKeyEnv: MISSING_KEY is not set`,
      `tokenstream api: invalid configuration: MODELS_FILE="${file}": models.gpt-4o.fallbacks: nope is not one of the file's models`,
    ]);
  });
});
