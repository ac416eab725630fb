import {
  readStream,
  startPostgres,
  writeKeysFile,
  writeModelsFile,
  type ApiProcess,
  type PostgresServer,
} from '@tokenstream/e2e-support';
import {
  ApiPaths,
  type AuditTrail,
  type BudgetList,
  type CreatedApiKey,
  type FinishFrame,
  type UsageReport,
} from '@tokenstream/stream-contracts';
import { setTimeout } from 'node:timers/promises';
import OpenAI from 'openai';
import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';
import { callWithKey, okJson } from './support/admin-client';
import { openStream } from './support/stream-client';

jest.setTimeout(90_000);

const ROOT_KEY = 'tsk_root_0123456789abcdef';
const BILLING_KEY = 'tsk_billing_0123456789abcdef';
const PRICE = { inputPerMillion: 2, outputPerMillion: 8 };
const costOf = (promptTokens: number, completionTokens: number) =>
  (promptTokens * PRICE.inputPerMillion + completionTokens * PRICE.outputPerMillion) / 1e6;

const call = callWithKey;

const json = okJson;

/** A native reply read to its end: the usage its `finish` frame reports. */
async function reply(
  api: ApiProcess,
  key: string,
): Promise<{ promptTokens: number; completionTokens: number }> {
  const response = await openStream(
    api.url,
    { messages: [{ role: 'user', content: 'Count to three' }] },
    undefined,
    {
      authorization: `Bearer ${key}`,
    },
  );
  expect(response.status).toBe(200);
  const transcript = await readStream(response);
  const finish = transcript.frames
    .map(({ frame }) => frame)
    .find((frame): frame is FinishFrame => frame.type === 'finish');
  if (!finish?.usage) throw new Error('the reply reported no usage');
  return finish.usage;
}

/** Polls until `attempt` answers `status`: how long that took, in ms, and how many answered else. */
async function pollUntil(
  attempt: () => Promise<Response>,
  status: number,
): Promise<{ ms: number; others: number }> {
  const started = Date.now();
  let others = 0;
  while (Date.now() - started < 5_000) {
    const response = await attempt();
    if (response.status === status) return { ms: Date.now() - started, others };
    others += 1;
    await response.body?.cancel();
    await setTimeout(50);
  }
  throw new Error(`never answered ${status}`);
}

const timeUntil = async (attempt: () => Promise<Response>, status: number) =>
  (await pollUntil(attempt, status)).ms;

describe('usage, cost and budgets, on two instances sharing PostgreSQL and Redis', () => {
  let pg: PostgresServer;
  let app: ApiUnderTest;
  let one: ApiProcess;
  let two: ApiProcess;

  beforeAll(async () => {
    pg = await startPostgres();
    const databaseUrl = await pg.createDatabase();
    app = await startApiUnderTest({
      upstreams: { main: { reply: 'one two three', chunks: 3 } },
      // Several instances as the README sets them up: one PostgreSQL and one Redis.
      redis: true,
      apis: 2,
      env: ({ main }) => ({
        MODELS_FILE: writeModelsFile(
          JSON.stringify({
            models: {
              'gpt-test': {
                price: PRICE,
                deployments: [{ name: 'main', kind: 'openai', baseUrl: main.url }],
              },
            },
          }),
          'models.json',
        ),
        DATABASE_URL: databaseUrl,
        AUTH_MODE: 'apikey',
        ADMIN_GROUPS: 'platform',
        API_KEYS_FILE: writeKeysFile([
          { name: 'root', key: ROOT_KEY, groups: ['platform'] },
          { name: 'billing', key: BILLING_KEY, groups: ['finance'] },
        ]),
        LIMIT_REQUESTS_PER_MINUTE: '0',
      }),
    });
    [one, two] = app.apis;
  });
  afterAll(async () => {
    await app?.stop();
    await pg?.stop();
  });

  it('records a row per reply with the upstream’s tokens, and totals them for admins and callers', async () => {
    const native = await reply(one, BILLING_KEY);
    const sdk = new OpenAI({ apiKey: BILLING_KEY, baseURL: `${two.url}/v1`, maxRetries: 0 });
    const completion = await sdk.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'And again' }],
    });
    const viaV1 = {
      promptTokens: completion.usage?.prompt_tokens ?? NaN,
      completionTokens: completion.usage?.completion_tokens ?? NaN,
    };
    await setTimeout(600);
    const promptTokens = native.promptTokens + viaV1.promptTokens;
    const completionTokens = native.completionTokens + viaV1.completionTokens;
    const byUser = await json<UsageReport>(
      call(two, `${ApiPaths.adminUsage}?groupBy=user`, ROOT_KEY),
    );
    const billing = byUser.rows.find((row) => row.user === 'apikey:billing');
    expect(billing).toEqual({
      user: 'apikey:billing',
      requests: 2,
      promptTokens,
      completionTokens,
      costUsd: expect.any(Number),
    });
    expect(billing?.costUsd).toBeCloseTo(costOf(promptTokens, completionTokens), 6);
    expect(billing?.costUsd).toBeGreaterThan(0);
    const byModel = await json<UsageReport>(
      call(one, `${ApiPaths.adminUsage}?groupBy=model`, ROOT_KEY),
    );
    expect(byModel.rows).toEqual([expect.objectContaining({ model: 'gpt-test', requests: 2 })]);
    const byGroup = await json<UsageReport>(
      call(one, `${ApiPaths.adminUsage}?groupBy=group`, ROOT_KEY),
    );
    expect(byGroup.rows).toContainEqual(expect.objectContaining({ group: 'finance', requests: 2 }));
    const today = new Date().toISOString().slice(0, 10);
    const byDay = await json<UsageReport>(
      call(one, `${ApiPaths.adminUsage}?groupBy=day`, ROOT_KEY),
    );
    expect(byDay.rows).toContainEqual(expect.objectContaining({ day: today, requests: 2 }));

    const csv = await call(one, `${ApiPaths.adminUsage}?groupBy=user`, ROOT_KEY, {}, 'text/csv');
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('user,requests,promptTokens,completionTokens,costUsd');
    const line = lines.find((text) => text.startsWith('apikey:billing,'))?.split(',');
    expect(line?.slice(0, 4)).toEqual([
      'apikey:billing',
      '2',
      `${promptTokens}`,
      `${completionTokens}`,
    ]);
    expect(Number(line?.[4])).toBeCloseTo(costOf(promptTokens, completionTokens), 6);

    const mine = await json<UsageReport>(call(two, ApiPaths.meUsage, BILLING_KEY));
    expect(mine.rows).toEqual([
      { model: 'gpt-test', requests: 2, promptTokens, completionTokens, costUsd: billing?.costUsd },
    ]);
    expect((await call(two, ApiPaths.adminUsage, BILLING_KEY)).status).toBe(403);
    const badPeriod = await call(
      one,
      `${ApiPaths.adminUsage}?from=2026-12-02&to=2026-12-01`,
      ROOT_KEY,
    );
    expect(badPeriod.status).toBe(400);
  });

  it('refuses a user over budget on the other instance within a second, and lets them back when it is removed', async () => {
    await reply(one, BILLING_KEY);
    const set = await call(one, ApiPaths.adminBudget('user', 'apikey:billing'), ROOT_KEY, {
      method: 'PUT',
      body: JSON.stringify({ usd: 0.000001, period: 'month' }),
    });
    expect(set.status).toBe(200);
    const start = () =>
      openStream(two.url, { messages: [{ role: 'user', content: 'Hi' }] }, undefined, {
        authorization: `Bearer ${BILLING_KEY}`,
      });
    expect(await timeUntil(start, 429)).toBeLessThanOrEqual(1_000);
    const refused = await start();
    expect(await refused.json()).toMatchObject({ statusCode: 429, code: 'budget_exceeded' });

    const sdk = new OpenAI({ apiKey: BILLING_KEY, baseURL: `${one.url}/v1`, maxRetries: 0 });
    const error = await sdk.chat.completions
      .create({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).error).toMatchObject({
      type: 'insufficient_quota',
      code: 'budget_exceeded',
    });

    const budgets = await json<BudgetList>(call(two, ApiPaths.adminBudgets, ROOT_KEY));
    expect(budgets.budgets).toContainEqual(
      expect.objectContaining({
        kind: 'user',
        id: 'apikey:billing',
        usd: 0.000001,
        period: 'month',
      }),
    );
    // Everyone else goes on.
    expect(
      (
        await openStream(two.url, { messages: [{ role: 'user', content: 'Hi' }] }, undefined, {
          authorization: `Bearer ${ROOT_KEY}`,
        })
      ).status,
    ).toBe(200);

    const removed = await call(two, ApiPaths.adminBudget('user', 'apikey:billing'), ROOT_KEY, {
      method: 'DELETE',
    });
    expect(removed.status).toBe(204);
    expect(await timeUntil(start, 200)).toBeLessThanOrEqual(1_000);

    const trail = await json<AuditTrail>(call(one, ApiPaths.adminAudit, ROOT_KEY));
    expect(
      trail.events
        .filter((event) => event.target === 'user:apikey:billing')
        .map((event) => event.action),
    ).toEqual(['budget.removed', 'budget.set']);
  });

  it('holds a key’s own budget: the reply that crosses it finishes, the next is refused', async () => {
    const made = await json<CreatedApiKey>(
      call(one, ApiPaths.adminKeys, ROOT_KEY, {
        method: 'POST',
        body: JSON.stringify({ name: 'metered', budget: { usd: 0.000001, period: 'day' } }),
      }),
    );
    const first = await reply(two, made.key);
    expect(first.completionTokens).toBeGreaterThan(0);
    const start = () =>
      openStream(one.url, { messages: [{ role: 'user', content: 'Hi' }] }, undefined, {
        authorization: `Bearer ${made.key}`,
      });
    // Replies that started before the spend was counted (within the second) run to their end.
    const { ms, others } = await pollUntil(start, 429);
    expect(ms).toBeLessThanOrEqual(1_000);
    await setTimeout(600);
    const byKey = await json<UsageReport>(
      call(one, `${ApiPaths.adminUsage}?groupBy=key`, ROOT_KEY),
    );
    expect(byKey.rows).toEqual([expect.objectContaining({ key: made.id, requests: 1 + others })]);
  });
});
