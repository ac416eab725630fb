import type { IncomingMessage, ServerResponse } from 'node:http';

/** What runs for every request ahead of the app (the request logger). */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The api's traces: OpenTelemetry's SDK exporting spans when `OTEL_TRACES_EXPORTER=otlp`
 * (`loadTracing`), nothing otherwise. Everything below a request's span goes through that span
 * (`requestSpan`, then {@link TraceSpan.child}); this is only what starts and stops them.
 */
export interface Tracing {
  /** True when spans are recorded and exported. */
  readonly enabled: boolean;
  /**
   * `handler`, preceded for each request whose URL `isTraced` accepts by starting its span: the
   * caller's `traceparent` continued, the span kept on the request (`requestSpan`) and ended when
   * its response closes. Untraced, `handler` itself.
   */
  tracingRequests(handler: RequestHandler, isTraced: (url: string) => boolean): RequestHandler;
  /** Exports the spans still held, then stops. */
  shutdown(): Promise<void>;
}

/** Tracing off: no span is ever made, and the request handler runs as it is. */
export const NO_TRACING: Tracing = {
  enabled: false,
  tracingRequests: (handler) => handler,
  shutdown: () => Promise.resolve(),
};
