/**
 * The attribute names the api's spans use: OpenTelemetry's semantic conventions where they have
 * one, `tokenstream.*` for the rest. Written here rather than imported, as the conventions' own
 * README advises for those still incubating (the GenAI ones, which may change in a minor release),
 * and so that code that runs untraced loads no OpenTelemetry package at all; the stable ones are
 * held to `@opentelemetry/semantic-conventions` by `span-attributes.spec.ts`.
 */
export const SpanAttributes = {
  // Stable: HTTP, server, error.
  httpRequestMethod: 'http.request.method',
  httpResponseStatusCode: 'http.response.status_code',
  httpRoute: 'http.route',
  urlPath: 'url.path',
  clientAddress: 'client.address',
  userAgent: 'user_agent.original',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  errorType: 'error.type',
  // GenAI (incubating).
  genAiOperationName: 'gen_ai.operation.name',
  genAiProviderName: 'gen_ai.provider.name',
  /** The older name of `gen_ai.provider.name`, which some backends still read. */
  genAiSystem: 'gen_ai.system',
  genAiRequestModel: 'gen_ai.request.model',
  genAiRequestTemperature: 'gen_ai.request.temperature',
  genAiRequestMaxTokens: 'gen_ai.request.max_tokens',
  genAiResponseFinishReasons: 'gen_ai.response.finish_reasons',
  genAiResponseModel: 'gen_ai.response.model',
  genAiResponseTimeToFirstChunk: 'gen_ai.response.time_to_first_chunk',
  genAiUsageInputTokens: 'gen_ai.usage.input_tokens',
  genAiUsageOutputTokens: 'gen_ai.usage.output_tokens',
  genAiUsageReasoningOutputTokens: 'gen_ai.usage.reasoning.output_tokens',
  genAiUsageCacheReadInputTokens: 'gen_ai.usage.cache_read.input_tokens',
  // tokenstream's own.
  /** The deployment (of `MODELS_FILE`, or `default`) a request went to. */
  deployment: 'tokenstream.deployment',
  streamId: 'tokenstream.stream.id',
  /** A delivery's starting position (`Last-Event-ID`), and the last it sent. */
  deliveryFrom: 'tokenstream.delivery.from',
  deliveryTo: 'tokenstream.delivery.to',
  /**
   * How the span's work ended: a finish reason or an error code (a reply, a delivery), `left` (a
   * reader gone before the end), `admitted` or `released` (an admission).
   */
  outcome: 'tokenstream.outcome',
} as const;

/** The span and event names, in one place. */
export const SpanNames = {
  admission: 'tokenstream.admission',
  delivery: 'tokenstream.delivery',
  /** The event on an upstream call's span when its first token arrives. */
  firstToken: 'tokenstream.first_token',
} as const;

/** `gen_ai.operation.name` of a chat completion (the upstream span is named `chat {model}`). */
export const GEN_AI_OPERATION_CHAT = 'chat';
