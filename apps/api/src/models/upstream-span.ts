import { APIError } from 'openai';
import { GEN_AI_OPERATION_CHAT, SpanAttributes, SpanNames } from '../tracing/span-attributes';
import type { SpanFailure, TraceAttributes, TraceSpan } from '../tracing/trace-span';
import type { UpstreamDeployment } from './deployment-client';
import type { ModelEvent, ModelRequest } from './model-provider';
import type { OpenAiReplyReader } from './openai-reply-reader';
import { toErrorFrame } from './upstream-failure';
import { UpstreamTimeoutError } from './upstream-timeout-error';

/** Where a provider's requests go, as its spans name it. */
export interface UpstreamTarget {
  deployment: string;
  /** `gen_ai.provider.name`: `openai` for any OpenAI-compatible upstream, `azure.ai.openai` for Azure's. */
  providerName: string;
  serverAddress: string;
  serverPort: number;
}

/** The span attributes of a deployment whose SDK client calls `baseUrl`. */
export function upstreamTarget(deployment: UpstreamDeployment, baseUrl: string): UpstreamTarget {
  const url = new URL(baseUrl);
  return {
    deployment: deployment.name,
    providerName: deployment.kind === 'azure-openai' ? 'azure.ai.openai' : 'openai',
    serverAddress: url.hostname,
    serverPort: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
  };
}

type FinishEvent = Extract<ModelEvent, { type: 'finish' }>;

/**
 * The span of one upstream request (`chat {model}`, a client span, in the GenAI semantic
 * conventions), a child of the request's: it carries the trace to the upstream (`headers`), marks
 * the first token with an event, and ends with the finish reason and the tokens the upstream
 * counted, or with the failure.
 */
export class UpstreamSpan {
  private readonly startedAt = performance.now();
  private firstTokenAt: number | undefined;
  private finish: FinishEvent | undefined;
  private reader: Pick<OpenAiReplyReader, 'responseModel'> | undefined;

  private constructor(private readonly span: TraceSpan) {}

  /** The span of a request `request` makes to `target`; none when the request is not traced. */
  static start(
    request: ModelRequest,
    target: UpstreamTarget | undefined,
  ): UpstreamSpan | undefined {
    if (!request.trace) return undefined;
    const body = request.openAiBody;
    const attributes: TraceAttributes = {
      [SpanAttributes.genAiOperationName]: GEN_AI_OPERATION_CHAT,
      [SpanAttributes.genAiProviderName]: target?.providerName,
      [SpanAttributes.genAiSystem]: target?.providerName,
      [SpanAttributes.genAiRequestModel]: request.model,
      [SpanAttributes.genAiRequestTemperature]: body
        ? (body.temperature ?? undefined)
        : request.temperature,
      [SpanAttributes.genAiRequestMaxTokens]: body
        ? (body.max_tokens ?? undefined)
        : request.maxTokens,
      [SpanAttributes.serverAddress]: target?.serverAddress,
      [SpanAttributes.serverPort]: target?.serverPort,
      [SpanAttributes.deployment]: target?.deployment,
    };
    const name = `${GEN_AI_OPERATION_CHAT} ${request.model}`;
    return new UpstreamSpan(request.trace.child(name, attributes, 'client'));
  }

  /** The `traceparent` that makes this span the parent of the upstream's work. */
  headers(): Record<string, string> {
    return this.span.headers();
  }

  /** The reader of the reply's body, which names the model that answered. */
  reads(reader: Pick<OpenAiReplyReader, 'responseModel'>): void {
    this.reader = reader;
  }

  /**
   * `push`, watched: the first token is marked on the span (one call, then none per token), and
   * the finish noted for the end.
   */
  watch(push: (event: ModelEvent) => void): (event: ModelEvent) => void {
    return (event) => {
      if (event.type === 'finish') this.finish = event;
      else if (this.firstTokenAt === undefined) {
        this.firstTokenAt = performance.now();
        this.span.event(SpanNames.firstToken);
      }
      push(event);
    };
  }

  /**
   * Ends the span: with `failure`, as failed; aborted (`signal`), as cancelled, or as failed when
   * a time limit aborted it; otherwise with the finish reason and the upstream's token counts.
   */
  end(signal: AbortSignal, failure?: { error: unknown }): void {
    const { finish, firstTokenAt } = this;
    const attributes: TraceAttributes = {
      [SpanAttributes.genAiResponseTimeToFirstChunk]:
        firstTokenAt === undefined ? undefined : (firstTokenAt - this.startedAt) / 1000,
    };
    // A time limit aborts the request as a stop does; unlike a stop, it is a failure.
    const timedOut = signal.aborted && signal.reason instanceof UpstreamTimeoutError;
    const error: unknown = failure ? failure.error : timedOut ? signal.reason : undefined;
    if (failure || timedOut) {
      const { code, message } = toErrorFrame(error);
      if (error instanceof APIError && typeof error.status === 'number')
        attributes[SpanAttributes.httpResponseStatusCode] = error.status;
      attributes[SpanAttributes.outcome] = code;
      const spanFailure: SpanFailure = { type: code, message };
      return this.span.end(attributes, spanFailure);
    }
    if (signal.aborted) attributes[SpanAttributes.outcome] = 'cancelled';
    else if (finish) {
      const { usage } = finish;
      attributes[SpanAttributes.outcome] = finish.finishReason;
      attributes[SpanAttributes.genAiResponseFinishReasons] = [finish.finishReason];
      attributes[SpanAttributes.genAiResponseModel] = this.reader?.responseModel;
      attributes[SpanAttributes.genAiUsageInputTokens] = usage?.promptTokens;
      attributes[SpanAttributes.genAiUsageOutputTokens] = usage?.completionTokens;
      attributes[SpanAttributes.genAiUsageReasoningOutputTokens] = usage?.reasoningTokens;
      attributes[SpanAttributes.genAiUsageCacheReadInputTokens] = usage?.cachedPromptTokens;
    }
    this.span.end(attributes);
  }
}
