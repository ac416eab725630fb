import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Root } from 'protobufjs';
import { OTLP_TRACE_MESSAGES } from './otlp-definitions';

/** An attribute's value, as OTLP's `AnyValue` holds it (JSON or protobuf alike, decoded). */
type AnyValue = {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
};
type KeyValue = { key: string; value?: AnyValue };

/** One span as the receiver got it, with its ids in hex and its attributes as plain values. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** Empty for a span whose parent is not in this trace's part sent here (a root). */
  parentSpanId: string;
  name: string;
  /** OTLP's `SpanKind`: 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown> }[];
  /** OTLP's `StatusCode`: 0 unset, 1 ok, 2 error. */
  status: { code: number; message?: string };
  /** The attributes of the resource that sent it (`service.name`, …). */
  resource: Record<string, unknown>;
}

/** A span as a decoded export holds it, JSON or protobuf: ids as hex (JSON) or bytes (protobuf). */
interface RawSpan {
  traceId: string | Uint8Array;
  spanId: string | Uint8Array;
  parentSpanId?: string | Uint8Array;
  name: string;
  kind?: number;
  attributes?: KeyValue[];
  events?: { name: string; attributes?: KeyValue[] }[];
  status?: { code?: number; message?: string };
}
interface ExportRequest {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: { spans?: RawSpan[] }[];
  }[];
}

const exportRequest = Root.fromJSON(OTLP_TRACE_MESSAGES).lookupType('ExportTraceServiceRequest');

function valueOf(value: AnyValue | undefined): unknown {
  if (!value) return undefined;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(valueOf);
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.stringValue ?? value.boolValue ?? value.doubleValue;
}

function attributesOf(list: KeyValue[] = []): Record<string, unknown> {
  return Object.fromEntries(list.map(({ key, value }) => [key, valueOf(value)]));
}

function hex(id: string | Uint8Array | undefined): string {
  if (id === undefined) return '';
  return typeof id === 'string' ? id : Buffer.from(id).toString('hex');
}

/** Decodes an export as the SDK sends it: OTLP/JSON, or OTLP/protobuf with a protobuf decoder. */
function decode(contentType: string, body: Buffer): ExportRequest {
  if (contentType.startsWith('application/json')) return JSON.parse(body.toString('utf8'));
  if (!contentType.startsWith('application/x-protobuf'))
    throw new Error(`unexpected content type ${contentType}`);
  return exportRequest.toObject(exportRequest.decode(body), {
    longs: String,
    defaults: false,
  }) as ExportRequest;
}

function spansOf(request: ExportRequest): ReceivedSpan[] {
  return (request.resourceSpans ?? []).flatMap(({ resource, scopeSpans }) =>
    (scopeSpans ?? []).flatMap(({ spans }) =>
      (spans ?? []).map((span) => ({
        traceId: hex(span.traceId),
        spanId: hex(span.spanId),
        parentSpanId: hex(span.parentSpanId),
        name: span.name,
        kind: span.kind ?? 0,
        attributes: attributesOf(span.attributes),
        events: (span.events ?? []).map((event) => ({
          name: event.name,
          attributes: attributesOf(event.attributes),
        })),
        status: { code: span.status?.code ?? 0, message: span.status?.message || undefined },
        resource: attributesOf(resource?.attributes),
      })),
    ),
  );
}

/** What an OTLP/HTTP collector would be for the api: it takes `POST /v1/traces` and keeps the spans. */
export interface OtlpReceiver {
  /** The base URL, for `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  readonly url: string;
  /** Every span received so far, in order. */
  readonly spans: ReceivedSpan[];
  /** The content types the exports came in. */
  readonly contentTypes: string[];
  /** Resolves once the spans received satisfy `ready`; fails after `timeoutMs`, showing them. */
  waitFor(ready: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Starts an OTLP/HTTP trace receiver on an ephemeral port of 127.0.0.1. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const contentTypes: string[] = [];
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const contentType = req.headers['content-type'] ?? '';
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      try {
        spans.push(...spansOf(decode(contentType, body)));
        contentTypes.push(contentType);
      } catch (error) {
        res.writeHead(400).end(String(error));
        return;
      }
      // An empty ExportTraceServiceResponse: everything accepted.
      if (contentType.startsWith('application/json')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    contentTypes,
    async waitFor(ready, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (!ready(spans)) {
        if (Date.now() > deadline) {
          const seen = spans.map((span) => `${span.name} (${span.traceId}/${span.spanId})`);
          throw new Error(`the spans expected did not arrive; received: ${seen.join(', ')}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return spans;
    },
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
