import { Logger } from '@nestjs/common';
import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  diag,
  DiagLogLevel,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type DiagLogger,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { APP_VERSION } from '../config/app-version';
import { keepRequestSpan } from './request-span';
import { SpanAttributes } from './span-attributes';
import type { SpanFailure, SpanRole, TraceAttributes, TraceIds, TraceSpan } from './trace-span';
import type { RequestHandler, Tracing } from './tracing';
import type { OtlpProtocol } from './tracing-settings';

/** The service's name unless `OTEL_SERVICE_NAME` (or `OTEL_RESOURCE_ATTRIBUTES`) says otherwise. */
export const DEFAULT_SERVICE_NAME = 'tokenstream-api';

const KINDS: Record<SpanRole, SpanKind> = {
  internal: SpanKind.INTERNAL,
  client: SpanKind.CLIENT,
};

/** The SDK's own complaints (an export that failed, a bad sampler value) as the api's log lines. */
class DiagToLog implements DiagLogger {
  private readonly logger = new Logger('OpenTelemetry');
  error = (message: string): void => this.logger.error(message);
  warn = (message: string): void => this.logger.warn(message);
  info = (message: string): void => this.logger.log(message);
  debug = (message: string): void => this.logger.debug(message);
  verbose = (message: string): void => this.logger.verbose(message);
}

/**
 * Tracing through OpenTelemetry's SDK: a `BasicTracerProvider` (its sampler from
 * `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`, its limits from `OTEL_*_LIMIT`), W3C Trace
 * Context for `traceparent` in and out, and spans handed to their parents explicitly. No context
 * manager is registered and nothing is patched: a request's span is started ahead of the app and
 * kept on the request, and each span below it is started from its parent.
 */
export class OtelTracing implements Tracing {
  readonly enabled = true;
  readonly tracer: Tracer;
  readonly propagator = new W3CTraceContextPropagator();

  constructor(private readonly provider: BasicTracerProvider) {
    this.tracer = provider.getTracer('tokenstream-api', APP_VERSION);
  }

  /**
   * Exports in batches (`OTEL_BSP_*`) over OTLP/HTTP in `protocol`, to where
   * `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` says (the exporter reads
   * them, with the headers, timeout and compression variables). The resource is the SDK's
   * default, `service.name` `tokenstream-api` and `service.version`, under what
   * `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` say.
   */
  static exporting(protocol: OtlpProtocol): OtelTracing {
    diag.setLogger(new DiagToLog(), DiagLogLevel.WARN);
    const exporter = protocol === 'http/json' ? new OtlpJsonExporter() : new OtlpProtobufExporter();
    const resource = defaultResource()
      .merge(
        resourceFromAttributes({
          [ATTR_SERVICE_NAME]: DEFAULT_SERVICE_NAME,
          [ATTR_SERVICE_VERSION]: APP_VERSION,
        }),
      )
      .merge(detectResources({ detectors: [envDetector] }));
    return new OtelTracing(
      new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter)] }),
    );
  }

  tracingRequests(handler: RequestHandler, isTraced: (url: string) => boolean): RequestHandler {
    return (req, res) => {
      if (isTraced(req.url ?? '/')) this.traceRequest(req, res);
      handler(req, res);
    };
  }

  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }

  /**
   * The request's span: a child of the caller's `traceparent`, or the root of a new trace; kept
   * on the request, and ended when its response closes.
   */
  private traceRequest(req: IncomingMessage, res: ServerResponse): void {
    const parent = this.propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    // Named by its method until the router has matched a route (HTTP semantic conventions).
    const span = this.tracer.startSpan(
      method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [SpanAttributes.httpRequestMethod]: method,
          [SpanAttributes.urlPath]: query < 0 ? url : url.slice(0, query),
          [SpanAttributes.clientAddress]: req.socket.remoteAddress,
          [SpanAttributes.userAgent]: req.headers['user-agent'],
        },
      },
      parent,
    );
    keepRequestSpan(req, new OtelSpan(this, span));
    res.once('close', () => {
      // Express's router leaves the route it matched on the request.
      const route = (req as { route?: { path?: unknown } }).route?.path;
      if (typeof route === 'string') {
        span.updateName(`${method} ${route}`);
        span.setAttribute(SpanAttributes.httpRoute, route);
      }
      if (res.headersSent) span.setAttribute(SpanAttributes.httpResponseStatusCode, res.statusCode);
      // A server's span fails on a 5xx only: a 4xx is the caller's.
      if (res.headersSent && res.statusCode >= 500) {
        span.setAttribute(SpanAttributes.errorType, String(res.statusCode));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    });
  }
}

/** A span of the SDK's, behind the api's small {@link TraceSpan}. */
class OtelSpan implements TraceSpan {
  private logIds: TraceIds | undefined;

  constructor(
    private readonly tracing: OtelTracing,
    private readonly span: Span,
  ) {}

  get ids(): TraceIds {
    if (!this.logIds) {
      const { traceId, spanId } = this.span.spanContext();
      this.logIds = { trace_id: traceId, span_id: spanId };
    }
    return this.logIds;
  }

  child(name: string, attributes?: TraceAttributes, role: SpanRole = 'internal'): TraceSpan {
    const parent = trace.setSpan(ROOT_CONTEXT, this.span);
    const span = this.tracing.tracer.startSpan(name, { kind: KINDS[role], attributes }, parent);
    return new OtelSpan(this.tracing, span);
  }

  event(name: string, attributes?: TraceAttributes): void {
    this.span.addEvent(name, attributes);
  }

  end(attributes?: TraceAttributes, failure?: SpanFailure): void {
    if (attributes) this.span.setAttributes(attributes);
    if (failure) {
      this.span.setAttribute(SpanAttributes.errorType, failure.type);
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
    }
    this.span.end();
  }

  headers(): Record<string, string> {
    const headers: Record<string, string> = {};
    this.tracing.propagator.inject(
      trace.setSpan(ROOT_CONTEXT, this.span),
      headers,
      defaultTextMapSetter,
    );
    return headers;
  }
}
