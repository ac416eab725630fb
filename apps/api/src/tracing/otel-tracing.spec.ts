import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ConfigError } from '../config/app-config';
import { loadTracing } from './load-tracing';
import { requestSpan } from './request-span';
import { SpanAttributes } from './span-attributes';
import { fakeExchange, recordedTracing } from './testing/recorded-tracing';
import { NO_TRACING } from './tracing';

const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

describe('OtelTracing', () => {
  it("continues the caller's traceparent: the request's span is its child, in its trace", () => {
    const recorded = recordedTracing();
    const { exchange } = recorded.traced(
      fakeExchange('POST', '/api/chat/stream?x=1', {
        traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`,
        'user-agent': 'test/1',
      }),
    );
    exchange.close(200, '/api/chat/stream');

    const span = recorded.span('POST /api/chat/stream');
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.spanContext().traceId).toBe(CALLER_TRACE);
    expect(span.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    expect(span.attributes).toMatchObject({
      [SpanAttributes.httpRequestMethod]: 'POST',
      [SpanAttributes.urlPath]: '/api/chat/stream',
      [SpanAttributes.httpRoute]: '/api/chat/stream',
      [SpanAttributes.httpResponseStatusCode]: 200,
      [SpanAttributes.userAgent]: 'test/1',
      [SpanAttributes.clientAddress]: '127.0.0.1',
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('starts a new trace without a traceparent, and hands the request on after its span starts', () => {
    const recorded = recordedTracing();
    const { span, exchange } = recorded.traced();
    expect(recorded.handled).toEqual([exchange.req]);
    expect(span.ids.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(span.ids.trace_id).not.toBe(CALLER_TRACE);
    expect(recorded.spans()).toHaveLength(0); // ended only when its response closes
    exchange.close(201);
    expect(recorded.span('POST').parentSpanContext).toBeUndefined();
  });

  it('fails the span of a 5xx, not of a 4xx (the caller’s)', () => {
    const recorded = recordedTracing();
    recorded.traced(fakeExchange('GET', '/a')).exchange.close(503);
    recorded.traced(fakeExchange('GET', '/a')).exchange.close(429);
    const [failed, refused] = recorded.spans();
    expect(failed.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed.attributes[SpanAttributes.errorType]).toBe('503');
    expect(refused.status.code).toBe(SpanStatusCode.UNSET);
    expect(refused.attributes[SpanAttributes.httpResponseStatusCode]).toBe(429);
  });

  it('leaves a request whose URL is not traced without a span', () => {
    const recorded = recordedTracing();
    const seen: unknown[] = [];
    const handler = recorded.tracing.tracingRequests(
      (req) => seen.push(req),
      (url) => url.startsWith('/api/'),
    );
    const exchange = fakeExchange('GET', '/main.js');
    handler(exchange.req, exchange.res);
    exchange.close();
    expect(seen).toEqual([exchange.req]);
    expect(requestSpan(exchange.req)).toBeUndefined();
    expect(recorded.spans()).toHaveLength(0);
  });

  it('starts children from their parent explicitly, and carries a child in a traceparent', () => {
    const recorded = recordedTracing();
    const { span: request, exchange } = recorded.traced();
    const child = request.child('chat m', { 'gen_ai.request.model': 'm' }, 'client');
    const headers = child.headers();
    child.event('first');
    child.end({ done: true }, { type: 'upstream_timeout', message: 'too slow' });
    exchange.close();

    const [upstream, server] = recorded.spans();
    expect(upstream.name).toBe('chat m');
    expect(upstream.kind).toBe(SpanKind.CLIENT);
    expect(upstream.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(upstream.spanContext().traceId).toBe(server.spanContext().traceId);
    expect(upstream.events.map((event) => event.name)).toEqual(['first']);
    expect(upstream.attributes).toMatchObject({
      'gen_ai.request.model': 'm',
      done: true,
      [SpanAttributes.errorType]: 'upstream_timeout',
    });
    expect(upstream.status).toEqual({ code: SpanStatusCode.ERROR, message: 'too slow' });
    const [, traceId, spanId] = TRACEPARENT.exec(headers.traceparent) ?? [];
    expect({ traceId, spanId }).toEqual({
      traceId: upstream.spanContext().traceId,
      spanId: upstream.spanContext().spanId,
    });
    expect(child.ids).toEqual({ trace_id: traceId, span_id: spanId });
  });
});

describe('loadTracing', () => {
  it('loads nothing and traces nothing when OTEL_TRACES_EXPORTER is unset or none', async () => {
    await expect(loadTracing({})).resolves.toBe(NO_TRACING);
    await expect(loadTracing({ OTEL_TRACES_EXPORTER: 'none' })).resolves.toBe(NO_TRACING);
    const handler = () => undefined;
    expect(NO_TRACING.tracingRequests(handler, () => true)).toBe(handler);
  });

  it('refuses a value it cannot honour, naming it', async () => {
    await expect(
      loadTracing({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }),
    ).rejects.toEqual(
      new ConfigError([
        'OTEL_EXPORTER_OTLP_PROTOCOL="grpc": expected http/protobuf or http/json (gRPC is not shipped)',
      ]),
    );
  });

  it('loads the SDK for OTEL_TRACES_EXPORTER=otlp, and shuts it down', async () => {
    const tracing = await loadTracing({ OTEL_TRACES_EXPORTER: 'otlp' });
    expect(tracing.enabled).toBe(true);
    await tracing.shutdown();
  });
});
