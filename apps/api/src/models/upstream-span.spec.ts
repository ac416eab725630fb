import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { startMockOpenAi, type MockOpenAi } from '@tokenstream/mock-openai';
import OpenAI from 'openai';
import { SpanAttributes, SpanNames } from '../tracing/span-attributes';
import { recordedTracing } from '../tracing/testing/recorded-tracing';
import type { ModelEvent, ModelRequest } from './model-provider';
import { OpenAiModelProvider } from './openai-model-provider';
import { replyEvents } from './testing/model-replies';
import { createUpstreamFetch } from './upstream-fetch';
import { upstreamTarget } from './upstream-span';
import { UpstreamTimeoutError } from './upstream-timeout-error';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

describe('the span of an upstream call', () => {
  let mock: MockOpenAi;
  let provider: OpenAiModelProvider;
  beforeAll(async () => {
    mock = await startMockOpenAi({ reply: 'one two three four', chunks: 4, chunkDelayMs: 5 });
    const client = new OpenAI({
      apiKey: 'sk-test',
      baseURL: mock.url,
      maxRetries: 0,
      fetch: createUpstreamFetch(),
    });
    const deployment = {
      kind: 'openai' as const,
      name: 'eu-1',
      weight: 1,
      baseUrl: mock.url,
      apiKey: 'sk-test',
      model: 'gpt-4o-mini',
    };
    provider = new OpenAiModelProvider(client, upstreamTarget(deployment, client.baseURL));
  });
  afterAll(() => mock.close());
  beforeEach(() => mock.reset());

  /** Runs one traced reply to its end; the spans recorded and what the reply pushed. */
  async function tracedReply(signal = new AbortController().signal) {
    const recorded = recordedTracing();
    const { span: trace, exchange } = recorded.traced();
    const request: ModelRequest = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      temperature: 0.5,
      maxTokens: 40,
      trace,
    };
    const events: ModelEvent[] = [];
    let error: unknown;
    try {
      for await (const event of replyEvents(provider, request, signal)) events.push(event);
    } catch (failure) {
      error = failure;
    }
    exchange.close();
    return { recorded, events, error, server: recorded.spans().at(-1) };
  }

  it('is a client span of the request’s, in the GenAI conventions, with the tokens and the finish', async () => {
    const { recorded, server } = await tracedReply();
    const span = recorded.span('chat gpt-4o-mini');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    const { port } = new URL(mock.url);
    expect(span.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.temperature': 0.5,
      'gen_ai.request.max_tokens': 40,
      'server.address': '127.0.0.1',
      'server.port': Number(port),
      'tokenstream.deployment': 'eu-1',
      'gen_ai.response.time_to_first_chunk': expect.any(Number),
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.response.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': expect.any(Number),
      'gen_ai.usage.output_tokens': expect.any(Number),
      'tokenstream.outcome': 'stop',
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('marks the first token with one event, however many follow', async () => {
    const { recorded, events } = await tracedReply();
    expect(events.filter((event) => event.type === 'delta').length).toBe(4);
    const span = recorded.span('chat gpt-4o-mini');
    expect(span.events.map((event) => event.name)).toEqual([SpanNames.firstToken]);
    const firstAt = span.events[0].time;
    expect(firstAt[0] * 1e9 + firstAt[1]).toBeGreaterThanOrEqual(
      span.startTime[0] * 1e9 + span.startTime[1],
    );
  });

  it('sends the upstream a traceparent of its own trace that names it as the parent', async () => {
    const { recorded } = await tracedReply();
    const span = recorded.span('chat gpt-4o-mini');
    const [, traceId, spanId] = TRACEPARENT.exec(mock.stats().lastRequest?.traceparent ?? '') ?? [];
    expect({ traceId, spanId }).toEqual({
      traceId: span.spanContext().traceId,
      spanId: span.spanContext().spanId,
    });
  });

  it('ends failed, with the error code and the status, when the upstream refuses', async () => {
    mock.configure({ fault: 'status', faultStatus: 429 });
    const { recorded, error } = await tracedReply();
    expect(error).toBeDefined();
    const span = recorded.span('chat gpt-4o-mini');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({
      [SpanAttributes.errorType]: 'upstream_rate_limited',
      [SpanAttributes.outcome]: 'upstream_rate_limited',
      [SpanAttributes.httpResponseStatusCode]: 429,
    });
    expect(span.events).toEqual([]);
  });

  it('ends cancelled when stopped, and failed when a time limit stopped it', async () => {
    mock.configure({ chunkDelayMs: 200 });
    const stop = new AbortController();
    setTimeout(() => stop.abort('stop'), 300);
    const stopped = await tracedReply(stop.signal);
    expect(stopped.recorded.span('chat gpt-4o-mini').attributes[SpanAttributes.outcome]).toBe(
      'cancelled',
    );
    expect(stopped.recorded.span('chat gpt-4o-mini').status.code).toBe(SpanStatusCode.UNSET);

    const limit = new AbortController();
    setTimeout(() => limit.abort(new UpstreamTimeoutError('idle', 100)), 300);
    const timedOut = await tracedReply(limit.signal);
    const span = timedOut.recorded.span('chat gpt-4o-mini');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes[SpanAttributes.errorType]).toBe('upstream_timeout');
  });

  it('is not made, and no traceparent is sent, for a request that is not traced', async () => {
    const events: ModelEvent[] = [];
    const request: ModelRequest = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
    };
    for await (const event of replyEvents(provider, request, new AbortController().signal))
      events.push(event);
    expect(events.at(-1)).toMatchObject({ type: 'finish' });
    expect(mock.stats().lastRequest?.traceparent).toBeUndefined();
  });
});
