import { Inject, Injectable, Logger } from '@nestjs/common';
import { APIError } from 'openai';
import type { LimitStandings } from '../shared/limit-standing';
import type { Principal } from '../shared/principal';
import { ApiException } from '../common/api-exception';
import type { AppConfig } from '../config/app-config';
import { CONFIG } from '../config/config-slices';
import { Budgets } from '../budgets/budgets';
import { StreamLimiter } from '../limits/stream-limiter';
import { estimatedTokens } from '../limits/token-estimate';
import { UsageLog } from '../usage/usage-log';
import { ApiMetrics } from '../metrics/api-metrics';
import { firstTokenLimit } from '../models/first-token-limit';
import { ModelCatalog } from '../models/model-catalog';
import { ModelRouter } from '../models/model-router';
import { toErrorFrame } from '../models/upstream-failure';
import type { EmbeddingsRequest } from './embeddings-request';
import { statusOfErrorFrame } from './in-band-error';

/** What the upstream answers, as far as tokenstream reads it: the tokens it counted. */
interface EmbeddingsAnswer {
  usage?: { prompt_tokens?: number; total_tokens?: number };
}

/**
 * The answer to give: the upstream's list with the deployment that made it, or the upstream's
 * refusal of the request (a bad `dimensions`, an input too long), passed on as it was made.
 */
export type EmbeddingsResult =
  | { status: 200; body: unknown; deployment: string }
  | { status: number; body: { error: unknown }; deployment?: undefined };

/**
 * `POST /v1/embeddings`: the caller's request passed to one of the model's deployments (spread,
 * cooled down and fallen back like a reply), answered as the upstream answered it, and counted
 * against the caller's limits like any reply: one request, and the tokens the upstream reports.
 */
@Injectable()
export class EmbeddingsService {
  private readonly logger = new Logger(EmbeddingsService.name);

  constructor(
    @Inject(CONFIG.upstream) private readonly upstream: AppConfig['upstream'],
    private readonly catalog: ModelCatalog,
    private readonly router: ModelRouter,
    private readonly limiter: StreamLimiter,
    private readonly metrics: ApiMetrics,
    private readonly budgets: Budgets,
    private readonly usageRows: UsageLog,
  ) {}

  async create(
    request: EmbeddingsRequest,
    context: {
      requestId: string;
      principal: Principal;
      callerGone: AbortSignal;
      /** Told where the caller's limits stand once they admit the call. */
      onAdmitted?: (standing: LimitStandings) => void;
    },
  ): Promise<EmbeddingsResult> {
    const { principal } = context;
    const model = this.catalog.choose(request.body.model, principal, 'embeddings');
    await this.budgets.check(principal);
    const ticket = await this.limiter.admit(principal, { promptChars: request.inputChars, model });
    context.onAdmitted?.(ticket.standing);
    // The caller leaving, or the upstreams taking longer than a reply may to start, ends the call.
    const limitMs = this.upstream.firstTokenTimeoutMs;
    const { signal, release } = firstTokenLimit(context.callerGone, limitMs);
    const started = performance.now();
    let usage: { promptTokens: number; completionTokens: number; totalTokens: number } | null =
      null;
    let answeredBy: string | null = null;
    let outcome = 'ok';
    try {
      const { value, deployment } = await this.router.call(model, signal, (route, attempt) => {
        if (!route.client) throw new Error(`${route.deployment.name} has no embeddings`);
        return route.client.post<EmbeddingsAnswer>('/embeddings', {
          body: { ...request.body, model: route.upstreamModel },
          signal: attempt,
        });
      });
      const promptTokens = value.usage?.prompt_tokens ?? estimatedTokens(request.inputChars);
      answeredBy = deployment;
      usage = {
        promptTokens,
        completionTokens: 0,
        totalTokens: value.usage?.total_tokens ?? promptTokens,
      };
      this.metrics.embeddingsCreated(model, deployment, promptTokens);
      this.logger.log(
        {
          requestId: context.requestId,
          principal: principal.id,
          api: 'openai',
          model,
          deployment,
          usage,
          durationMs: Math.round(performance.now() - started),
        },
        'embeddings created',
      );
      return { status: 200, body: value, deployment };
    } catch (error) {
      // The upstream judged the request (a bad `dimensions`, an input too long): the caller's
      // to fix, told as the upstream told it.
      if (isRefusalOfTheRequest(error)) {
        outcome = 'refused';
        return { status: error.status, body: { error: error.error } };
      }
      const frame = toErrorFrame(error);
      outcome = frame.code;
      this.logger.warn(
        { requestId: context.requestId, principal: principal.id, model, err: error },
        'embeddings failed',
      );
      throw new ApiException(statusOfErrorFrame(frame), frame.code, frame.message);
    } finally {
      release();
      void ticket.end({ completionChars: 0, usage });
      this.usageRows.recordReply({
        principal,
        api: 'embeddings',
        model,
        deployment: answeredBy,
        usage,
        promptChars: request.inputChars,
        completionChars: 0,
        ttftMs: null,
        durationMs: Math.round(performance.now() - started),
        outcome,
      });
    }
  }
}

/**
 * Whether the upstream refused the request itself (a 4xx), rather than failing or refusing
 * tokenstream's key (401, 403) or rate-limiting it (429), which are the gateway's to report.
 */
function isRefusalOfTheRequest(error: unknown): error is APIError & { status: number } {
  if (!(error instanceof APIError) || typeof error.status !== 'number') return false;
  return error.status >= 400 && error.status < 500 && ![401, 403, 429].includes(error.status);
}
