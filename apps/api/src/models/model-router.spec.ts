import { APIError } from 'openai';
import type { Deployment } from '../config/model-routes';
import { MemoryDeploymentCooldowns } from './deployment-cooldowns';
import { ModelProvider, type ModelEvent, type ModelRequest } from './model-provider';
import { ModelRouter, type Route } from './model-router';
import { UpstreamTimeoutError } from './upstream-timeout-error';
import { replyEvents, ScriptedModelProvider } from './testing/model-replies';

/** An upstream that answers `text`, or fails with `failure` before (or after) its first delta. */
class Upstream extends ScriptedModelProvider {
  readonly kind = 'openai' as const;
  requests: ModelRequest[] = [];
  constructor(
    private readonly text: string,
    private readonly failure?: { error: unknown; afterText?: boolean },
  ) {
    super();
  }
  protected async *script(request: ModelRequest): AsyncIterable<ModelEvent> {
    this.requests.push(request);
    if (this.failure && !this.failure.afterText) throw this.failure.error;
    yield { type: 'delta', text: this.text };
    if (this.failure) throw this.failure.error;
    yield { type: 'finish', finishReason: 'stop' };
  }
}

const deployment = (name: string, weight = 1): Deployment => ({ kind: 'demo', name, weight });
const route = (model: string, name: string, provider: ModelProvider, weight = 1): Route => ({
  model,
  upstreamModel: `${model}@${name}`,
  deployment: deployment(name, weight),
  provider,
});
const status = (code: number, retryAfter?: string) =>
  APIError.generate(
    code,
    { message: 'no' },
    'no',
    new Headers(retryAfter ? { 'retry-after': retryAfter } : {}),
  );

async function run(router: ModelRouter, model = 'gpt') {
  const events: ModelEvent[] = [];
  for await (const event of replyEvents(
    router,
    { model, messages: [] },
    new AbortController().signal,
  )) {
    events.push(event);
  }
  return events;
}

describe('ModelRouter', () => {
  it('spreads requests over the deployments by weight', async () => {
    const heavy = new Upstream('heavy');
    const light = new Upstream('light');
    const draws = [0.1, 0.5, 0.74, 0.76, 0.99];
    const router = new ModelRouter(
      { fallbacks: {}, cooldownMs: 1_000 },
      new Map([['gpt', [route('gpt', 'heavy', heavy, 3), route('gpt', 'light', light, 1)]]]),
      new MemoryDeploymentCooldowns(),
      { random: () => draws.shift() ?? 0 },
    );
    for (let i = 0; i < 5; i += 1) await run(router);
    // Three quarters of the draws land on the deployment of weight 3.
    expect([heavy.requests.length, light.requests.length]).toEqual([3, 2]);
    expect(heavy.requests[0].model).toBe('gpt@heavy');
  });

  it('falls back past a failed deployment, then to the next model, saying who answered', async () => {
    const cooldowns = new MemoryDeploymentCooldowns();
    const router = new ModelRouter(
      { fallbacks: { gpt: ['small'] }, cooldownMs: 30_000 },
      new Map([
        ['gpt', [route('gpt', 'a', new Upstream('a', { error: status(500) }))]],
        ['small', [route('small', 'b', new Upstream('from b'))]],
      ]),
      cooldowns,
      { random: () => 0, logger: { warn: () => undefined } },
    );
    expect(await run(router)).toEqual([
      { type: 'served', deployment: 'b', model: 'small' },
      { type: 'delta', text: 'from b' },
      { type: 'finish', finishReason: 'stop' },
    ]);
    // The 500 cooled `a` down for the configured time; `b` is free.
    const cooling = await cooldowns.cooling(['a', 'b']);
    expect([...cooling.keys()]).toEqual(['a']);
    expect(cooling.get('a')).toBeGreaterThan(Date.now() + 25_000);
  });

  it('honours Retry-After, and refuses with a 503 when every deployment is cooling down', async () => {
    const cooldowns = new MemoryDeploymentCooldowns();
    const limited = new Upstream('a', { error: status(429, '7') });
    const busy = new Upstream('b', { error: status(503, '9') });
    const router = new ModelRouter(
      { fallbacks: {}, cooldownMs: 30_000 },
      new Map([['gpt', [route('gpt', 'a', limited), route('gpt', 'b', busy)]]]),
      cooldowns,
      { random: () => 0, logger: { warn: () => undefined } },
    );
    // Both failed: the last failure is the caller's.
    await expect(run(router)).rejects.toMatchObject({ status: 503 });
    const until = (await cooldowns.cooling(['a'])).get('a') ?? 0;
    expect(until - Date.now()).toBeGreaterThan(5_000);
    expect(until - Date.now()).toBeLessThanOrEqual(7_000);
    // The next request calls neither, and is refused at once.
    const error = await run(router).catch((caught: unknown) => caught);
    expect([limited.requests.length, busy.requests.length]).toEqual([1, 1]);
    expect(error).toMatchObject({ status: 503 });
    // No wait is asked for: the request is not held for a cooldown, it is refused.
    expect((error as APIError).headers?.get('retry-after-ms')).toBeNull();
    expect((error as APIError).message).toMatch(/the first for \d+ ms more/);
  });

  it('never tries elsewhere once some of the reply came: the failure is the caller’s', async () => {
    const other = new Upstream('b');
    const router = new ModelRouter(
      { fallbacks: {}, cooldownMs: 30_000 },
      new Map([
        [
          'gpt',
          [
            route('gpt', 'a', new Upstream('partial', { error: status(502), afterText: true })),
            route('gpt', 'b', other),
          ],
        ],
      ]),
      new MemoryDeploymentCooldowns(),
      { random: () => 0, logger: { warn: () => undefined } },
    );
    const events: ModelEvent[] = [];
    const error = await (async () => {
      for await (const event of replyEvents(
        router,
        { model: 'gpt', messages: [] },
        new AbortController().signal,
      )) {
        events.push(event);
      }
    })().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 502 });
    expect(events).toEqual([
      { type: 'served', deployment: 'a', model: 'gpt' },
      { type: 'delta', text: 'partial' },
    ]);
    expect(other.requests).toHaveLength(0);
  });

  it('cools nothing down for a model with one deployment: there is nowhere else to go', async () => {
    const cooldowns = new MemoryDeploymentCooldowns();
    const router = new ModelRouter(
      { fallbacks: {}, cooldownMs: 30_000 },
      new Map([['gpt', [route('gpt', 'a', new Upstream('a', { error: status(429, '7') }))]]]),
      cooldowns,
      { logger: { warn: () => undefined } },
    );
    await expect(run(router)).rejects.toMatchObject({ status: 429 });
    expect(await cooldowns.cooling(['a'])).toEqual(new Map());
  });

  it('tries the next deployment when one sends nothing within its own first-token limit', async () => {
    /** An upstream that never answers, and ends quietly when aborted (as providers do). */
    class Silent extends ScriptedModelProvider {
      readonly kind = 'openai' as const;
      protected async *script(
        _request: ModelRequest,
        signal: AbortSignal,
      ): AsyncIterable<ModelEvent> {
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        // Aborted: nothing more, as a provider must (never reached before the abort).
        if (!signal.aborted) yield { type: 'delta', text: 'too late' };
      }
    }
    const cooldowns = new MemoryDeploymentCooldowns();
    const slow: Route = {
      ...route('gpt', 'slow', new Silent()),
      deployment: { kind: 'demo', name: 'slow', weight: 1, firstTokenTimeoutMs: 50 },
    };
    const router = new ModelRouter(
      { fallbacks: {}, cooldownMs: 30_000 },
      new Map([['gpt', [slow, route('gpt', 'quick', new Upstream('quick'))]]]),
      cooldowns,
      { random: () => 0, logger: { warn: () => undefined } },
    );
    const started = Date.now();
    expect(await run(router)).toEqual([
      { type: 'served', deployment: 'quick', model: 'gpt' },
      { type: 'delta', text: 'quick' },
      { type: 'finish', finishReason: 'stop' },
    ]);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect([...(await cooldowns.cooling(['slow', 'quick'])).keys()]).toEqual(['slow']);
  });

  describe('a request answered whole (embeddings)', () => {
    /** Answers `name` after `delayMs`, or fails at once when aborted, as the SDK does. */
    const answering =
      (delays: Record<string, number>, asked: string[]) =>
      (route: Route, signal: AbortSignal): Promise<string> => {
        asked.push(route.deployment.name);
        return new Promise((resolve, reject) => {
          const timer = setTimeout(
            () => resolve(route.deployment.name),
            delays[route.deployment.name],
          );
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(new Error('Request was aborted.'));
          });
        });
      };

    it('tries the next deployment once one passes its own time limit, and cools it down', async () => {
      const cooldowns = new MemoryDeploymentCooldowns();
      const slow: Route = {
        ...route('emb', 'slow', new Upstream('')),
        deployment: { kind: 'demo', name: 'slow', weight: 1, firstTokenTimeoutMs: 50 },
      };
      const router = new ModelRouter(
        { fallbacks: {}, cooldownMs: 30_000 },
        new Map([['emb', [slow, route('emb', 'quick', new Upstream(''))]]]),
        cooldowns,
        { random: () => 0, logger: { warn: () => undefined } },
      );
      const asked: string[] = [];

      const answer = await router.call(
        'emb',
        new AbortController().signal,
        answering({ slow: 60_000, quick: 5 }, asked),
      );

      expect(answer).toEqual({ value: 'quick', deployment: 'quick' });
      expect(asked).toEqual(['slow', 'quick']);
      expect([...(await cooldowns.cooling(['slow', 'quick'])).keys()]).toEqual(['slow']);
    });

    it('tries no other deployment once the request itself is aborted, and says why', async () => {
      const router = new ModelRouter(
        { fallbacks: {}, cooldownMs: 30_000 },
        new Map([
          ['emb', [route('emb', 'a', new Upstream('')), route('emb', 'b', new Upstream(''))]],
        ]),
        new MemoryDeploymentCooldowns(),
        { random: () => 0, logger: { warn: () => undefined } },
      );
      const request = new AbortController();
      const reason = new UpstreamTimeoutError('first-token', 20);
      setTimeout(() => request.abort(reason), 20);
      const asked: string[] = [];

      await expect(
        router.call('emb', request.signal, answering({ a: 60_000, b: 5 }, asked)),
      ).rejects.toBe(reason);
      expect(asked).toEqual(['a']);
    });
  });
});
