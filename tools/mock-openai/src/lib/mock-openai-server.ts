import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isAuthorized } from './api-key';
import { azureResourceNotFound, parseAzurePath } from './azure-path';
import { handleChatCompletions } from './chat-completions-handler';
import { handleEmbeddings } from './embeddings-handler';
import { BodyTooLargeError, sendJson } from './http-io';
import { CONTROL_PREFIX, handleControl } from './mock-control-handler';
import { applyMockOptions, DEFAULT_MOCK_OPTIONS, type MockOptions } from './mock-options';
import { MockState } from './mock-state';
import type { MockStats } from './mock-stats';
import { modelList, modelObject } from './models-list';
import { openAiErrorBody } from './openai-errors';

/** Start options: any knob, plus where to listen (port 0 picks a free port). */
export type StartMockOpenAiOptions = Partial<MockOptions> & { port?: number; host?: string };

/** Handle on a running mock. */
export interface MockOpenAi {
  /** Base URL for the SDK's `baseURL`, e.g. `http://127.0.0.1:43210/v1`. */
  readonly url: string;
  /** The same without `/v1`, e.g. `http://127.0.0.1:43210`: the `endpoint` of an `AzureOpenAI` client. */
  readonly origin: string;
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** Changes knobs for the following requests; throws MockOptionsError on an invalid value. */
  configure(partial: Partial<MockOptions>): void;
  /** Options back to the start options, counters to zero. */
  reset(): void;
  /** A snapshot of the counters. */
  stats(): MockStats;
  /** The options in effect now. */
  options(): MockOptions;
  /** Resolves once `predicate` holds for the stats; rejects after `timeoutMs` with the stats in the message. */
  waitFor(predicate: (stats: MockStats) => boolean, timeoutMs?: number): Promise<MockStats>;
  /** Stops listening and destroys every open connection, streams in flight included. */
  close(): Promise<void>;
}

/** Starts an OpenAI-compatible mock on `host:port` (default 127.0.0.1, ephemeral port). */
export async function startMockOpenAi(options: StartMockOpenAiOptions = {}): Promise<MockOpenAi> {
  const { port = 0, host = '127.0.0.1', ...knobs } = options;
  const state = new MockState(applyMockOptions(DEFAULT_MOCK_OPTIONS, knobs));
  const server = createServer((req, res) => {
    route(req, res, state).catch((error: unknown) => failRequest(res, error));
  });
  const boundPort = await listen(server, port, host);

  let closing: Promise<void> | undefined;
  const origin = originUrl(host, boundPort);
  return {
    url: `${origin}/v1`,
    origin,
    port: boundPort,
    configure: (partial) => {
      state.configure(partial);
    },
    reset: () => {
      state.reset();
    },
    stats: () => state.stats.snapshot(),
    options: () => state.options(),
    waitFor: (predicate, timeoutMs) => state.stats.waitFor(predicate, timeoutMs),
    close: () => {
      // Idempotent: an afterEach and a test may both close the same mock.
      closing ??= new Promise<void>((resolve, reject) => {
        state.stats.dispose('the mock was closed');
        server.close((error) => (error ? reject(error) : resolve()));
        // close() alone would wait for keep-alive sockets and running streams to end by themselves.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function route(req: IncomingMessage, res: ServerResponse, state: MockState): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://mock');
  const path = url.pathname;
  const method = req.method ?? 'GET';

  if (path.startsWith(CONTROL_PREFIX) && (await handleControl(req, res, path, state))) return;

  // Recorded as where the request went, query included (an Azure client's api-version lives there).
  const recordedPath = `${path}${url.search}`;
  if (method === 'POST' && path === '/v1/chat/completions') {
    await handleChatCompletions(req, res, state, { path: recordedPath, deployment: undefined });
    return;
  }
  if (method === 'POST' && path === '/v1/embeddings') {
    await handleEmbeddings(req, res, state, { path: recordedPath, deployment: undefined });
    return;
  }

  const azure = method === 'POST' ? parseAzurePath(url) : undefined;
  if (azure) {
    // Azure refuses a deployment path without api-version before it looks at anything else.
    if (azure.apiVersion === undefined) {
      sendJson(res, 404, azureResourceNotFound());
      return;
    }
    const target = { path: recordedPath, deployment: azure.deployment };
    const handle = azure.operation === 'embeddings' ? handleEmbeddings : handleChatCompletions;
    await handle(req, res, state, target);
    return;
  }

  if (method === 'GET' && (path === '/v1/models' || path.startsWith('/v1/models/'))) {
    const { models, requireApiKey } = state.options();
    if (!isAuthorized(req.headers, requireApiKey)) {
      sendJson(res, 401, openAiErrorBody(401));
      return;
    }
    if (path === '/v1/models') {
      sendJson(res, 200, modelList(models));
      return;
    }
    const id = decodeURIComponent(path.slice('/v1/models/'.length));
    if (models.includes(id)) {
      sendJson(res, 200, modelObject(id));
    } else {
      const message = `The model '${id}' does not exist`;
      sendJson(res, 404, openAiErrorBody(404, { message, param: 'model' }));
    }
    return;
  }

  // OpenAI's own answer to an unknown route.
  const message = `Invalid URL (${method} ${path})`;
  sendJson(res, 404, openAiErrorBody(404, { message, code: null }));
}

function failRequest(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    // Mid-response there is no way to report an error but to cut the connection.
    res.destroy();
    return;
  }
  if (error instanceof BodyTooLargeError) {
    sendJson(res, 413, openAiErrorBody(413, { message: error.message }));
    return;
  }
  const message = `mock-openai internal error: ${error instanceof Error ? error.message : String(error)}`;
  sendJson(res, 500, openAiErrorBody(500, { message }));
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error(`mock-openai: unexpected server address ${String(address)}`));
        return;
      }
      resolve(address.port);
    });
  });
}

/** Origin a client on this machine can use; a wildcard bind address is not connectable everywhere. */
function originUrl(host: string, port: number): string {
  const connectable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const literal = connectable.includes(':') ? `[${connectable}]` : connectable;
  return `http://${literal}:${port}`;
}
