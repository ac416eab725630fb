import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { PushSink } from '../shared/push-sink';

/** The `fetch` the openai SDK takes (its `fetch` option). */
export type UpstreamFetch = (
  input: string | URL | Request,
  init?: RequestInit,
) => Promise<Response>;

/** Statuses whose responses have no body: a `Response` refuses one. */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/** The Node response behind each streamed `Response` this module made, for {@link readUpstreamBody}. */
const nodeBodies = new WeakMap<Response, IncomingMessage>();

/**
 * A `fetch` over Node's `http` and `https` clients (their native HTTP parser, kept-alive
 * connections), for the openai SDK's `fetch` option: the SDK still builds, authenticates and
 * judges every request, while a streamed reply's bytes reach {@link readUpstreamBody} straight from
 * the socket instead of through undici's WHATWG streams, which cost more CPU per token than the
 * rest of the api's relay (bench/README.md, "Production scale"). The `Response` it resolves to is
 * a real one, whose `body` is read only if asked for (the SDK does, for an error's body). Bodies
 * other than text or bytes, which the api never sends, go to the global `fetch`. Redirects are
 * not followed: an OpenAI-compatible API answers where it is configured.
 */
export function createUpstreamFetch(): UpstreamFetch {
  const agents = {
    'http:': new HttpAgent({ keepAlive: true }),
    'https:': new HttpsAgent({ keepAlive: true }),
  };
  return (input, init = {}) => {
    const body = init.body ?? undefined;
    const url = new URL(input instanceof Request ? input.url : input);
    const sendable = body === undefined || typeof body === 'string' || body instanceof Uint8Array;
    if (input instanceof Request || !sendable || !(url.protocol in agents)) {
      return fetch(input, init);
    }
    return new Promise<Response>((resolve, reject) => {
      const headers: Record<string, string> = {};
      // The SDK passes a `Headers` already: read it as it is rather than copy it first.
      const given = init.headers instanceof Headers ? init.headers : new Headers(init.headers);
      given.forEach((value, name) => (headers[name] = value));
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const request = send(
        url,
        {
          method: init.method ?? 'GET',
          headers,
          agent: agents[url.protocol as keyof typeof agents],
          // Aborting destroys the request, and the response's body with it.
          signal: init.signal ?? undefined,
        },
        (response) => resolve(toResponse(response, init.method === 'HEAD')),
      );
      request.once('error', reject);
      request.end(body);
    });
  };
}

/** Wraps a Node response in a `Response` whose body exists only if someone asks for it. */
function toResponse(message: IncomingMessage, isHead: boolean): Response {
  const headers = new Headers();
  const raw = message.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  const status = message.statusCode ?? 502;
  const init = { status, statusText: message.statusMessage, headers };
  if (isHead || NULL_BODY_STATUSES.has(status)) {
    message.resume();
    return new Response(null, init);
  }
  const response = new NodeBodyResponse(message, init);
  nodeBodies.set(response, message);
  return response;
}

/**
 * A `Response` over a Node response, whose web `body` stream (and the `Response` that reads it
 * whole, for `text()` and `json()`) is made only when asked for. A streamed reply is read from the
 * Node response by {@link readUpstreamBody} and never asks: making a `ReadableStream` and a
 * `Response` over it up front cost about a tenth of a reply's start (bench/README.md).
 */
class NodeBodyResponse extends Response {
  readonly #message: IncomingMessage;
  readonly #init: ResponseInit;
  #body: WebBody | undefined;
  #whole: Response | undefined;

  constructor(message: IncomingMessage, init: ResponseInit) {
    super(null, init);
    this.#message = message;
    this.#init = init;
  }

  override get body(): WebBody {
    this.#body ??= webStream(this.#message);
    return this.#body;
  }

  override get bodyUsed(): boolean {
    return this.#whole?.bodyUsed ?? false;
  }

  override text(): Promise<string> {
    return this.whole().text();
  }

  override json(): Promise<unknown> {
    return this.whole().json();
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    return this.whole().arrayBuffer();
  }

  override blob(): Promise<Blob> {
    return this.whole().blob();
  }

  private whole(): Response {
    this.#whole ??= new Response(this.body, this.#init);
    return this.#whole;
  }
}

/** A `Response`'s body: bytes over a plain `ArrayBuffer`, as a Node `Buffer`'s always are. */
type WebBody = ReadableStream<Uint8Array<ArrayBuffer>>;

/** A web stream that pulls from `message` only when read. */
function webStream(message: IncomingMessage): WebBody {
  let chunks: AsyncIterator<Buffer<ArrayBuffer>> | undefined;
  return new ReadableStream(
    {
      async pull(controller) {
        chunks ??= message[Symbol.asyncIterator]();
        const { value, done } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: () => void message.destroy(),
    },
    // Nothing is pulled before someone reads: the bytes may be read from `message` instead.
    { highWaterMark: 0 },
  );
}

/**
 * Reads the body of an upstream response into `sink`, in the chunks of bytes it arrives in: from
 * the socket's `data` events when {@link createUpstreamFetch} made the response (no promise per
 * chunk), else from its `body`. Returns what stops reading early and lets the connection go (it
 * does nothing once the body has ended or failed).
 */
export function readUpstreamBody(response: Response, sink: PushSink<Uint8Array>): () => void {
  const message = nodeBodies.get(response);
  return message ? readNodeBody(message, sink) : readWebBody(response, sink);
}

function readNodeBody(message: IncomingMessage, sink: PushSink<Uint8Array>): () => void {
  let over = false;
  const onData = (bytes: Buffer) => sink.next(bytes);
  const finish = () => {
    over = true;
    message.off('data', onData);
    message.off('end', onEnd);
    message.off('error', onError);
  };
  const onEnd = () => {
    finish();
    sink.done();
  };
  // A connection cut mid-body comes as an `ECONNRESET` error ("aborted").
  const onError = (error: unknown) => {
    finish();
    sink.fail(error);
  };
  message.on('data', onData);
  message.once('end', onEnd);
  message.once('error', onError);
  return () => {
    if (over) return;
    finish();
    // With no `error` listener left, Node emits none for a body destroyed mid-way.
    message.destroy();
  };
}

function readWebBody(response: Response, sink: PushSink<Uint8Array>): () => void {
  if (!response.body) {
    sink.done();
    return () => undefined;
  }
  const reader = response.body.getReader();
  let over = false;
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (over) return;
        if (done) break;
        sink.next(value);
      }
      over = true;
      sink.done();
    } catch (error) {
      if (over) return;
      over = true;
      sink.fail(error);
    }
  })();
  return () => {
    if (over) return;
    over = true;
    // Left early (stopped, or a bad chunk): the rest is not wanted, and the socket is let go.
    reader.cancel().catch(() => undefined);
  };
}
