import { randomBytes } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { CompletionUsage } from 'openai/resources/completions';
import { isAuthorized } from './api-key';
import {
  chatCompletion,
  newCompletionIdentity,
  type CompletionIdentity,
} from './chat-completion-chunks';
import { writeChatCompletionStream } from './chat-completion-stream';
import { isJsonObject, validateChatRequest } from './chat-request';
import { parseJson, readBody, sendJson } from './http-io';
import { MockOptionsError, type MockOptions } from './mock-options';
import type { MockState } from './mock-state';
import { openAiErrorBody } from './openai-errors';
import { requestOptionsOf, type RequestOptions } from './request-options';
import { planReply, type ReplyPlan } from './reply-plan';
import { estimateUsage } from './usage';

/** Handles POST /v1/chat/completions: records the request, then answers, streams or injects the fault. */
export async function handleChatCompletions(
  req: IncomingMessage,
  res: ServerResponse,
  state: MockState,
): Promise<void> {
  // Taken before the body is read, so the request runs with the options current when it arrived.
  const current = state.options();
  const text = await readBody(req);
  const json = parseJson(text);
  const authorization = req.headers.authorization;
  state.stats.update((stats) => {
    stats.requests += 1;
    if (isJsonObject(json)) stats.lastRequest = { body: structuredClone(json), authorization };
  });

  const requestId = `req_${randomBytes(16).toString('hex')}`;
  if (!isAuthorized(authorization, current.requireApiKey)) {
    sendJson(res, 401, openAiErrorBody(401), { 'x-request-id': requestId });
    return;
  }
  if (!isJsonObject(json)) {
    const message =
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using " +
      'your HTTP library correctly.)';
    sendJson(res, 400, openAiErrorBody(400, { message }), { 'x-request-id': requestId });
    return;
  }
  const validation = validateChatRequest(json);
  if (!validation.ok) {
    const { message, param } = validation;
    sendJson(res, 400, openAiErrorBody(400, { message, param }), { 'x-request-id': requestId });
    return;
  }

  const { request } = validation;
  let own: RequestOptions | undefined;
  try {
    own = requestOptionsOf(request.messages);
  } catch (error) {
    if (!(error instanceof MockOptionsError)) throw error;
    const body = openAiErrorBody(400, { message: error.message, param: 'messages' });
    sendJson(res, 400, body, { 'x-request-id': requestId });
    return;
  }
  // The request's own options win; its own fault strikes it alone and leaves the budget untouched.
  const options = own ? { ...current, ...own } : current;
  const fault = own?.fault ?? state.takeFault();
  if (own?.fault !== undefined && own.fault !== 'none') {
    state.stats.update((stats) => {
      stats.faultsInjected += 1;
    });
  }
  if (fault === 'status') {
    sendFaultStatus(res, options, requestId);
    return;
  }
  const plan = planReply(request, options);
  const usage = estimateUsage(request.messages, plan.completionTokens);
  const identity = newCompletionIdentity(request.model, request.includeUsage);

  if (request.stream) {
    state.stats.update((stats) => {
      stats.streamsStarted += 1;
    });
    writeChatCompletionStream(
      res,
      {
        identity,
        plan,
        options,
        fault,
        usage: request.includeUsage ? usage : undefined,
        requestId,
      },
      {
        onChunkSent: () =>
          state.stats.update((stats) => {
            stats.chunksSent += 1;
          }),
        onCompleted: () =>
          state.stats.update((stats) => {
            stats.streamsCompleted += 1;
          }),
        onAborted: () =>
          state.stats.update((stats) => {
            stats.streamsAborted += 1;
          }),
        onFaulted: () =>
          state.stats.update((stats) => {
            stats.streamsFaulted += 1;
          }),
      },
    );
    return;
  }
  respondWithCompletion(res, { identity, plan, usage, options, fault, requestId });
}

function sendFaultStatus(res: ServerResponse, options: MockOptions, requestId: string): void {
  const status = options.faultStatus;
  const headers: OutgoingHttpHeaders = { 'x-request-id': requestId };
  // Real 429s carry Retry-After, and overloaded 503s often do; the SDK's retry logic reads it.
  if (status === 429 || status === 503)
    headers['retry-after'] = String(options.faultRetryAfterSeconds);
  const body = openAiErrorBody(status);
  body.error.message += ' (mock-openai injected fault)';
  sendJson(res, status, body, headers);
}

/** What the non-streaming answer needs. */
interface CompletionScript {
  identity: CompletionIdentity;
  plan: ReplyPlan;
  usage: CompletionUsage;
  options: MockOptions;
  fault: 'none' | 'cut' | 'malformed';
  requestId: string;
}

// Non-streaming answer, sent after as long as the equivalent stream would take, so a benchmark sees
// the same generation time whichever mode it uses.
function respondWithCompletion(res: ServerResponse, script: CompletionScript): void {
  const { identity, plan, usage, options, fault, requestId } = script;
  const writes = Math.ceil(plan.deltas.length / options.chunksPerWrite);
  const delayMs = options.firstTokenDelayMs + Math.max(0, writes - 1) * options.chunkDelayMs;
  const timer = setTimeout(() => {
    if (fault === 'cut') {
      res.socket?.destroy();
      return;
    }
    if (fault === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': requestId });
      res.end('{not json');
      return;
    }
    const body = chatCompletion(identity, plan, usage);
    sendJson(res, 200, body, { 'x-request-id': requestId });
  }, delayMs);
  // A client that gives up while "the model is thinking" must not leave a timer behind.
  res.on('close', () => clearTimeout(timer));
}
