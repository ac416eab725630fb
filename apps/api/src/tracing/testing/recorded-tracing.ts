import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { OtelTracing } from '../otel-tracing';
import { requestSpan } from '../request-span';
import type { TraceSpan } from '../trace-span';

/** A request as the tracing sees it ahead of Express, and its response, which `close` ends. */
export interface FakeExchange {
  req: IncomingMessage;
  res: ServerResponse;
  /** Ends the response with `status` (its headers sent), as Node does: `close`. */
  close(status?: number, route?: string): void;
}

/** A request and response pair, as far as `OtelTracing` reads them. */
export function fakeExchange(
  method = 'POST',
  url = '/api/chat/stream',
  headers: IncomingHttpHeaders = {},
): FakeExchange {
  const req = { method, url, headers, socket: { remoteAddress: '127.0.0.1' } } as IncomingMessage;
  const res = Object.assign(new EventEmitter(), { headersSent: false, statusCode: 200 });
  return {
    req,
    res: res as unknown as ServerResponse,
    close: (status = 200, route) => {
      if (route) Object.assign(req, { route: { path: route } });
      Object.assign(res, { headersSent: true, statusCode: status });
      res.emit('close');
    },
  };
}

/**
 * The real tracing, its spans recorded in memory as each ends (what an exporter would send), for
 * tests: `traced()` starts a request's span as the api does and hands it back.
 */
export function recordedTracing() {
  const exporter = new InMemorySpanExporter();
  const tracing = new OtelTracing(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
  const handled: IncomingMessage[] = [];
  const handler = tracing.tracingRequests(
    (req) => void handled.push(req),
    () => true,
  );
  return {
    tracing,
    /** The requests the handler after the tracing received. */
    handled,
    /** Starts the span of a request like `exchange`'s; the request's span and the exchange. */
    traced(exchange = fakeExchange()): { span: TraceSpan; exchange: FakeExchange } {
      handler(exchange.req, exchange.res);
      const span = requestSpan(exchange.req);
      if (!span) throw new Error('the request was not traced');
      return { span, exchange };
    },
    /** The spans ended so far, in the order they ended. */
    spans: (): ReadableSpan[] => exporter.getFinishedSpans(),
    /** The one ended span named `name`. */
    span(name: string): ReadableSpan {
      const found = exporter.getFinishedSpans().filter((span) => span.name === name);
      if (found.length !== 1) {
        const names = exporter.getFinishedSpans().map((span) => span.name);
        throw new Error(
          `expected one span named ${name}, found ${found.length} in ${names.join(', ')}`,
        );
      }
      return found[0];
    },
  };
}
