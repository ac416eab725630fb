import { Logger, type LoggerService } from '@nestjs/common';
import type { ProviderKind } from '@tokenstream/stream-contracts';
import OpenAI, { APIError } from 'openai';
import type { Deployment, ModelRoutes } from '../config/model-routes';
import type { DeploymentCooldowns } from './deployment-cooldowns';
import { firstTokenLimit } from './first-token-limit';
import type { PushSink } from '../shared/push-sink';
import {
  ModelProvider,
  type ModelEvent,
  type ModelRequest,
  type ModelSink,
} from './model-provider';
import { retryAfterMs } from './retry-after';
import { isBrokenConnection } from './upstream-failure';
import { UpstreamTimeoutError } from './upstream-timeout-error';

/** A deployment, the model it answers, and the provider that calls it. */
export interface Route {
  /** The model callers name. */
  model: string;
  /** The name its upstream knows it by. */
  upstreamModel: string;
  deployment: Deployment;
  provider: ModelProvider;
  /** The SDK client of its upstream, for calls answered whole; none for the demo model. */
  client?: OpenAI;
}

/** The routes a request tries, in order, and what was left out as cooling down. */
interface Candidates {
  routes: Route[];
  cooling: Map<string, number>;
  /** True when the model has more than one deployment, fallbacks included. */
  alternatives: boolean;
}

/** What the router reports as it works, for the metrics. */
export interface RouterObserver {
  deploymentFailed?(deployment: string, cause: string): void;
}

/** Why a failure cools its deployment down, or `undefined` when it says nothing about it. */
function cooldownCause(error: unknown): string | undefined {
  if (error instanceof UpstreamTimeoutError) return 'timeout';
  if (isBrokenConnection(error)) return 'connection-failed';
  if (error instanceof APIError && typeof error.status === 'number') {
    if (error.status === 429 || error.status >= 500) return String(error.status);
  }
  return undefined;
}

/**
 * Spreads each request over its model's deployments by weight, and falls back before the first
 * token: a deployment that fails before any of the reply came (a refused request, `429`, `5xx`,
 * a broken connection) is skipped for the next, then the model's fallback models are tried, in
 * order. When the request has somewhere else to go, a deployment that answered `429` or a `5xx`,
 * or timed out, is cooled down (for its `Retry-After`, or the configured time) and skipped by
 * every request until then. Once any of the
 * reply has come, a failure is the caller's: trying elsewhere would repeat what it already has.
 */
export class ModelRouter extends ModelProvider {
  readonly kind: ProviderKind;
  private readonly logger: Pick<LoggerService, 'warn'>;

  constructor(
    private readonly routes: Pick<ModelRoutes, 'fallbacks' | 'cooldownMs'>,
    /** Each model's deployments, with their providers. */
    private readonly byModel: ReadonlyMap<string, readonly Route[]>,
    private readonly cooldowns: DeploymentCooldowns,
    private readonly dependencies: {
      random?: () => number;
      logger?: Pick<LoggerService, 'warn'>;
      observer?: RouterObserver;
    } = {},
  ) {
    super();
    const all = [...byModel.values()].flat();
    this.kind = all.every((route) => route.deployment.kind === 'demo') ? 'demo' : 'openai';
    this.logger = dependencies.logger ?? new Logger(ModelRouter.name);
  }

  stream(request: ModelRequest, signal: AbortSignal, sink: ModelSink): void {
    this.inOrder<ModelEvent>(
      request.model,
      signal,
      (route, attempt, answer) =>
        route.provider.stream({ ...request, model: route.upstreamModel }, attempt, answer),
      sink,
      (route) => ({ type: 'served', deployment: route.deployment.name, model: route.model }),
    );
  }

  /**
   * Runs `call` on the model's deployments in the order a stream would try them, with the same
   * cooldowns and each deployment's own time limit, for a request answered whole (embeddings):
   * the first deployment that answers wins. Once `signal` aborts, no other is tried.
   */
  call<T>(
    model: string,
    signal: AbortSignal,
    call: (route: Route, signal: AbortSignal) => Promise<T>,
  ): Promise<{ value: T; deployment: string }> {
    return new Promise((resolve, reject) => {
      let answer: { value: T; deployment: string } | undefined;
      this.inOrder<{ value: T; deployment: string }>(
        model,
        signal,
        (route, attempt, sink) =>
          void call(route, attempt).then(
            (value) => {
              sink.next({ value, deployment: route.deployment.name });
              sink.done();
            },
            // Aborted, the SDK says only that; the reason says why (a time limit, the caller gone).
            (error: unknown) => sink.fail(attempt.aborted ? attempt.reason : error),
          ),
        {
          next: (value) => (answer = value),
          done: () =>
            answer ? resolve(answer) : reject(new Error(`no deployment of ${model} answered`)),
          fail: reject,
        },
      );
    });
  }

  /**
   * Tries the model's deployments in order ({@link candidates}) until one answers, and pushes its
   * answer into `sink` (after `served(route)`, when given). Each try runs under its deployment's
   * own first-token limit. A try that fails before any of its answer came, within the caller's
   * time, is logged, cools its deployment down when the failure says so, and the next is tried;
   * once some of an answer came, or `signal` aborted, a failure is the caller's. When none
   * answered, the last failure is the caller's, or a `503` when every deployment was cooling down.
   */
  private inOrder<T>(
    model: string,
    signal: AbortSignal,
    attempt: (route: Route, signal: AbortSignal, sink: PushSink<T>) => void,
    sink: PushSink<T>,
    served?: (route: Route) => T,
  ): void {
    const tryFrom = (
      candidates: Candidates,
      index: number,
      lastFailure: { error: unknown } | undefined,
    ): void => {
      const { routes, cooling, alternatives } = candidates;
      const route = routes[index];
      if (!route)
        return sink.fail(lastFailure ? lastFailure.error : allCoolingDown(model, cooling));
      let answered = false;
      const limit = firstTokenLimit(signal, route.deployment.firstTokenTimeoutMs);
      // Declared before the try starts: a provider may end it within `attempt`.
      const failed = (error: unknown) => {
        const timedOut =
          limit.signal.aborted && limit.signal.reason instanceof UpstreamTimeoutError;
        const failure: unknown = timedOut ? limit.signal.reason : error;
        const over = answered || signal.aborted;
        void this.failed(route, failure, alternatives, !over).then(() => {
          if (over) sink.fail(error);
          else tryFrom(candidates, index + 1, { error: failure });
        });
      };
      attempt(route, limit.signal, {
        next: (item) => {
          if (!answered) {
            answered = true;
            limit.answered();
            if (served) sink.next(served(route));
          }
          sink.next(item);
        },
        done: () => {
          limit.release();
          // Its own limit passed: a provider ends quietly when aborted, so this is a failure here.
          if (limit.signal.aborted && !signal.aborted) return failed(limit.signal.reason);
          // The reply's limit ends it quietly (the caller's wrapper reports it): the deployment
          // that was too slow is left alone for a while all the same.
          if (alternatives && signal.aborted && signal.reason instanceof UpstreamTimeoutError) {
            return void this.coolDown(route.deployment.name, signal.reason, 'timeout').then(() =>
              sink.done(),
            );
          }
          sink.done();
        },
        fail: (error) => {
          limit.release();
          failed(error);
        },
      });
    };
    this.candidates(model).then(
      (candidates) => tryFrom(candidates, 0, undefined),
      (error: unknown) => sink.fail(error),
    );
  }

  /**
   * Cools a deployment down when its failure says so and there are others to go to; logs that
   * the next is tried, when it is.
   */
  private async failed(
    route: Route,
    failure: unknown,
    alternatives: boolean,
    tryingNext: boolean,
  ): Promise<void> {
    const { deployment } = route;
    const cause = cooldownCause(failure);
    if (cause && alternatives) await this.coolDown(deployment.name, failure, cause);
    if (!tryingNext) return;
    this.logger.warn(
      { deployment: deployment.name, model: route.model, cause: cause ?? 'refused' },
      `deployment ${deployment.name} failed before any of the reply; trying the next`,
    );
  }

  /**
   * The routes to try, in order: the model's deployments that are not cooling down, drawn by
   * weight, then each fallback model's the same way. Cooled-down deployments are left out: their
   * upstream asked to be left alone, or just failed.
   */
  private async candidates(model: string): Promise<Candidates> {
    const chain = [model, ...(this.routes.fallbacks[model] ?? [])];
    const all = chain.flatMap((name) => this.byModel.get(name) ?? []);
    // With one deployment there is nowhere else to send traffic: its failures are retried as
    // before (with backoff, after Retry-After), nothing is cooled down, so nothing is read.
    if (all.length <= 1) return { routes: all, cooling: new Map(), alternatives: false };
    const cooling = await this.cooldowns
      .cooling(all.map((route) => route.deployment.name))
      .catch((error: unknown) => {
        // Without the shared view, every deployment is tried: a cooling one fails fast anyway.
        this.logger.warn({ err: error }, 'the deployment cooldowns could not be read');
        return new Map<string, number>();
      });
    const routes = chain.flatMap((name) =>
      this.byWeight(
        (this.byModel.get(name) ?? []).filter((route) => !cooling.has(route.deployment.name)),
      ),
    );
    return { routes, cooling, alternatives: true };
  }

  /** `routes` in a random order where each comes first in proportion to its weight. */
  private byWeight(routes: Route[]): Route[] {
    const random = this.dependencies.random ?? Math.random;
    const left = [...routes];
    const ordered: Route[] = [];
    while (left.length > 1) {
      const total = left.reduce((sum, route) => sum + route.deployment.weight, 0);
      let pick = random() * total;
      let index = 0;
      while (index < left.length - 1 && pick >= left[index].deployment.weight) {
        pick -= left[index].deployment.weight;
        index += 1;
      }
      ordered.push(...left.splice(index, 1));
    }
    return [...ordered, ...left];
  }

  private async coolDown(deployment: string, failure: unknown, cause: string): Promise<void> {
    const asked =
      failure instanceof APIError ? retryAfterMs(failure.headers, Date.now()) : undefined;
    this.dependencies.observer?.deploymentFailed?.(deployment, cause);
    await this.cooldowns
      .coolDown(deployment, asked ?? this.routes.cooldownMs)
      .catch((error: unknown) =>
        this.logger.warn({ err: error, deployment }, 'the deployment could not be cooled down'),
      );
  }
}

/**
 * What a request gets when every deployment it could go to is cooling down: the upstream is, for
 * now, unavailable (a `503`), retried with the usual backoff, then the caller's. Its message says
 * when the first is free (for the logs) but it asks for no wait: a cooldown the api chose itself
 * (a deployment that failed, for `cooldownSeconds`) is no reason to hold a request that long, and
 * one an upstream asked for was waited out by the request that met it.
 */
function allCoolingDown(model: string, cooling: Map<string, number>): APIError {
  const soonest = Math.min(...cooling.values());
  const waitMs = Number.isFinite(soonest) ? Math.max(0, soonest - Date.now()) : 0;
  return APIError.generate(
    503,
    undefined,
    `Every deployment of ${model} is cooling down, the first for ${waitMs} ms more`,
    new Headers(),
  );
}
