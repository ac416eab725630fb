import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CompletionUsage } from 'openai/resources/completions';
import {
  chatCompletion,
  newCompletionIdentity,
  type CompletionIdentity,
} from './chat-completion-chunks';
import { writeChatCompletionStream } from './chat-completion-stream';
import { validateChatRequest } from './chat-request';
import { sendFaultStatus, sendJsonOrFault } from './fault-responses';
import { acceptValidRequest, sendInvalidParam, type InferenceTarget } from './inference-request';
import { MockOptionsError, type MockOptions } from './mock-options';
import type { MockState } from './mock-state';
import { requestOptionsOf, type RequestOptions } from './request-options';
import { planReply, type ReplyPlan } from './reply-plan';
import { estimateUsage } from './usage';

/**
 * Handles POST /v1/chat/completions and its Azure path: records the request, then answers, streams
 * or injects the fault.
 */
export async function handleChatCompletions(
  req: IncomingMessage,
  res: ServerResponse,
  state: MockState,
  target: InferenceTarget,
): Promise<void> {
  const accepted = await acceptValidRequest(req, res, state, target, validateChatRequest);
  if (!accepted) return;
  const { request, requestId, options: current } = accepted;
  let own: RequestOptions | undefined;
  try {
    own = requestOptionsOf(request.messages);
  } catch (error) {
    if (!(error instanceof MockOptionsError)) throw error;
    sendInvalidParam(res, requestId, { message: error.message, param: 'messages' });
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
    sendJsonOrFault(res, fault, chatCompletion(identity, plan, usage), requestId);
  }, delayMs);
  // A client that gives up while "the model is thinking" must not leave a timer behind.
  res.on('close', () => clearTimeout(timer));
}
