import { randomBytes } from 'node:crypto';
import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';
import type { PlannedDelta, ReplyPlan } from './reply-plan';

// The SDK's own types pin the wire format: if a field drifts from what openai expects, this file stops compiling.

/** What OpenAI repeats on every chunk of one completion. */
export interface CompletionIdentity {
  id: string;
  created: number;
  model: string;
  /** With stream_options.include_usage, OpenAI adds `usage: null` to every chunk before the usage chunk. */
  includeUsage: boolean;
}

// Real responses carry one; some clients log it, none should depend on its value.
const SYSTEM_FINGERPRINT = 'fp_mock_openai';

/** A fresh identity for one completion, echoing the requested model. */
export function newCompletionIdentity(model: string, includeUsage: boolean): CompletionIdentity {
  return {
    id: `chatcmpl-${randomBytes(15).toString('base64url')}`,
    created: Math.floor(Date.now() / 1000),
    model,
    includeUsage,
  };
}

/** First chunk of a stream: announces the assistant role with empty content, as OpenAI does. */
export function roleChunk(identity: CompletionIdentity): ChatCompletionChunk {
  return choiceChunk(identity, { role: 'assistant', content: '' }, null);
}

/** One step of the reply: a piece of its text, reasoning, refusal or tool call. */
export function deltaChunk(identity: CompletionIdentity, step: PlannedDelta): ChatCompletionChunk {
  return choiceChunk(identity, step.delta, null, step.logprobs);
}

/** Last choice chunk: empty delta plus the finish_reason. */
export function finishChunk(
  identity: CompletionIdentity,
  finishReason: ReplyPlan['finishReason'],
): ChatCompletionChunk {
  return choiceChunk(identity, {}, finishReason);
}

/** The extra chunk sent only for stream_options.include_usage: no choices, just the usage. */
export function usageChunk(
  identity: CompletionIdentity,
  usage: CompletionUsage,
): ChatCompletionChunk {
  return { ...chunkEnvelope(identity), choices: [], usage };
}

/** The non-streaming `chat.completion` object. */
export function chatCompletion(
  identity: CompletionIdentity,
  plan: ReplyPlan,
  usage: CompletionUsage,
): ChatCompletion {
  const logprobs = plan.deltas.flatMap((step) => step.logprobs?.content ?? []);
  return {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model,
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices: [
      {
        index: 0,
        message: { ...plan.message, annotations: [] },
        logprobs: logprobs.length > 0 ? { content: logprobs, refusal: null } : null,
        finish_reason: plan.finishReason,
      },
    ],
    usage,
  };
}

function choiceChunk(
  identity: CompletionIdentity,
  delta: ChatCompletionChunk.Choice.Delta,
  finishReason: ReplyPlan['finishReason'] | null,
  logprobs: ChatCompletionChunk.Choice.Logprobs | null = null,
): ChatCompletionChunk {
  return {
    ...chunkEnvelope(identity),
    choices: [{ index: 0, delta, logprobs, finish_reason: finishReason }],
    ...(identity.includeUsage ? { usage: null } : {}),
  };
}

function chunkEnvelope(identity: CompletionIdentity): Omit<ChatCompletionChunk, 'choices'> {
  return {
    id: identity.id,
    object: 'chat.completion.chunk',
    created: identity.created,
    model: identity.model,
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
}
