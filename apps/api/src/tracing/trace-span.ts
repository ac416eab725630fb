/** Attribute values a span takes (OpenTelemetry's); `undefined` ones are left out. */
export type TraceAttributes = Record<string, string | number | boolean | string[] | undefined>;

/** The ids a log line carries to name the span it was written in, as OpenTelemetry's log model names them. */
export interface TraceIds {
  trace_id: string;
  span_id: string;
}

/** Why a span's work failed: `error.type` (low-cardinality: an error code, a status) and a safe message. */
export interface SpanFailure {
  type: string;
  message?: string;
}

/** How a span relates to the work around it (OpenTelemetry's span kinds, those the api uses). */
export type SpanRole = 'internal' | 'client';

/**
 * One span being recorded. Children are started from it explicitly, as no context manager follows
 * the api's callbacks: an `AsyncLocalStorage` would cost every promise of every token (bench/README.md,
 * "Where a token's CPU goes"). Where tracing is off there is no span at all: every hook is
 * `span?.…`, which costs nothing.
 */
export interface TraceSpan {
  /** Its trace's and its own id, for log lines. */
  readonly ids: TraceIds;
  /** Starts a child of this span, now. */
  child(name: string, attributes?: TraceAttributes, role?: SpanRole): TraceSpan;
  /** Records that something happened, now. */
  event(name: string, attributes?: TraceAttributes): void;
  /** Ends the span, with its last attributes; as failed when `failure` is given. Once. */
  end(attributes?: TraceAttributes, failure?: SpanFailure): void;
  /** The W3C `traceparent` (and `tracestate`) that make this span the parent of a request it sends. */
  headers(): Record<string, string>;
}
