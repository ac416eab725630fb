import { readStream, startApi, waitForLog } from '@tokenstream/e2e-support';
import { useApiUnderTest } from './support/api-under-test';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver';
import { openStream } from './support/stream-client';

/** The trace a caller (or nginx in front of the api) is in when it asks. */
const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const TRACEPARENT = `00-${CALLER_TRACE}-${CALLER_SPAN}-01`;
const REPLY = 'Traced from the caller, through the api, to the model and back.';
const CHUNKS = 6;

const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;

/** The one span received whose name is `name` (in the caller's trace). */
function only(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const found = spans.filter((span) => span.name === name && span.traceId === CALLER_TRACE);
  if (found.length !== 1) throw new Error(`${found.length} spans named ${name}`);
  return found[0];
}

describe.each(['http/protobuf', 'http/json'])('traces exported over OTLP, %s', (protocol) => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterAll(() => receiver?.close());

  const app = useApiUnderTest({
    upstream: { reply: REPLY, chunks: CHUNKS, chunkDelayMs: 10 },
    // Read once the receiver listens (its `beforeAll` runs first).
    env: () => ({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      OTEL_SERVICE_NAME: 'tokenstream-e2e',
      OTEL_BSP_SCHEDULE_DELAY: '50',
    }),
  });

  it('continues the caller’s trace through admission, the upstream call and the delivery', async () => {
    const requestId = `traced-${protocol.replace('/', '-')}`;
    const response = await openStream(
      app.url,
      { messages: [{ role: 'user', content: 'Hi' }] },
      undefined,
      { traceparent: TRACEPARENT, 'x-request-id': requestId },
    );
    expect(response.status).toBe(200);
    expect((await readStream(response)).text()).toBe(REPLY);

    const names = ['POST /api/chat/stream', 'tokenstream.admission', 'chat gpt-4o-mini'];
    const spans = await receiver.waitFor((all) =>
      [...names, 'tokenstream.delivery'].every((name) =>
        all.some((span) => span.name === name && span.traceId === CALLER_TRACE),
      ),
    );
    expect(receiver.contentTypes[0]).toBe(
      protocol === 'http/json' ? 'application/json' : 'application/x-protobuf',
    );

    const request = only(spans, 'POST /api/chat/stream');
    expect(request).toMatchObject({
      kind: SERVER,
      parentSpanId: CALLER_SPAN,
      attributes: {
        'http.request.method': 'POST',
        'http.route': '/api/chat/stream',
        'url.path': '/api/chat/stream',
        'http.response.status_code': 200,
      },
      resource: { 'service.name': 'tokenstream-e2e', 'service.version': expect.any(String) },
    });

    const admission = only(spans, 'tokenstream.admission');
    expect(admission.parentSpanId).toBe(request.spanId);
    expect(admission.attributes).toEqual({ 'tokenstream.outcome': 'admitted' });

    const upstream = only(spans, 'chat gpt-4o-mini');
    expect(upstream).toMatchObject({
      kind: CLIENT,
      parentSpanId: request.spanId,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.response.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': expect.any(Number),
        'gen_ai.usage.output_tokens': expect.any(Number),
        'gen_ai.response.time_to_first_chunk': expect.any(Number),
        'server.address': '127.0.0.1',
        // Without a models file, the deployment is named by its host and model.
        'tokenstream.deployment': `127.0.0.1:${new URL(app.upstream.url).port}/gpt-4o-mini`,
        'tokenstream.outcome': 'stop',
      },
    });
    // One event at the first token, none for the other tokens.
    expect(upstream.events.map((event) => event.name)).toEqual(['tokenstream.first_token']);

    const delivery = only(spans, 'tokenstream.delivery');
    expect(delivery.parentSpanId).toBe(request.spanId);
    expect(delivery.attributes).toMatchObject({
      'tokenstream.stream.id': response.headers.get('x-stream-id'),
      'tokenstream.delivery.from': 0,
      'tokenstream.outcome': 'stop',
    });

    // The upstream request carried the trace on, with the upstream call's span as its parent.
    expect(app.upstream.stats().lastRequest?.traceparent).toBe(
      `00-${CALLER_TRACE}-${upstream.spanId}-01`,
    );

    // The request's log line and the stream's summary name the request's span.
    const ids = { trace_id: CALLER_TRACE, span_id: request.spanId };
    const requestLine = await waitForLog(
      app.api,
      (line) =>
        line.msg === 'request completed' &&
        (line['req'] as { id?: unknown } | undefined)?.id === requestId,
    );
    expect(requestLine).toMatchObject(ids);
    const summary = await waitForLog(
      app.api,
      (line) => line.msg === 'stream ended' && line['requestId'] === requestId,
    );
    expect(summary).toMatchObject(ids);
  });

  it('traces a resume: its request, in its caller’s trace, and a delivery from its position', async () => {
    const first = await openStream(app.url, { messages: [{ role: 'user', content: 'Hi' }] });
    const streamId = first.headers.get('x-stream-id');
    await readStream(first);
    const response = await fetch(`${app.url}/api/streams/${streamId}/events`, {
      headers: { 'last-event-id': '2', traceparent: TRACEPARENT },
    });
    expect((await readStream(response)).frames.at(-1)?.frame).toMatchObject({ type: 'finish' });

    const route = 'GET /api/streams/:streamId/events';
    const spans = await receiver.waitFor((all) =>
      all.some((span) => span.name === route && span.traceId === CALLER_TRACE),
    );
    const request = only(spans, route);
    const delivery = await receiver.waitFor((all) =>
      all.some((span) => span.parentSpanId === request.spanId),
    );
    expect(delivery.find((span) => span.parentSpanId === request.spanId)).toMatchObject({
      name: 'tokenstream.delivery',
      attributes: {
        'tokenstream.stream.id': streamId,
        'tokenstream.delivery.from': 2,
        'tokenstream.outcome': 'stop',
      },
    });
  });

  it('traces an OpenAI-compatible call, and fails the upstream span the upstream refused', async () => {
    app.upstream.configure({ fault: 'status', faultStatus: 401 });
    const response = await fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: TRACEPARENT },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(response.status).toBeGreaterThanOrEqual(500);

    const spans = await receiver.waitFor((all) =>
      all.some((span) => span.name === 'POST /v1/chat/completions'),
    );
    const request = only(spans, 'POST /v1/chat/completions');
    const upstream = spans.find(
      (span) => span.name === 'chat gpt-4o-mini' && span.parentSpanId === request.spanId,
    );
    expect(upstream).toMatchObject({
      status: { code: ERROR },
      attributes: {
        'error.type': 'upstream_auth_failed',
        'http.response.status_code': 401,
      },
    });
  });
});

describe('traces at shutdown', () => {
  it('exports the spans it still holds when it stops, however long its batch would wait', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const api = await startApi({
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_BSP_SCHEDULE_DELAY: '600000',
      });
      try {
        expect((await fetch(`${api.url}/api/health/live`)).status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(receiver.spans).toEqual([]); // held in the batch
      } finally {
        await api.stop();
      }
      expect(receiver.spans.map((span) => span.name)).toContain('GET /api/health/live');
    } finally {
      await receiver.close();
    }
  });
});
