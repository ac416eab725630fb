import type { ChatRequest, Usage } from '@tokenstream/stream-contracts';
import { estimatedTokens } from '../limits/token-estimate';

/** Token counts in OpenAI's shape. */
export interface OpenAiUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/**
 * The usage of a reply in OpenAI's shape: the upstream's own count when the `finish` frame carried
 * one, otherwise an estimate from the characters of the conversation and of the reply.
 */
export function toOpenAiUsage(
  usage: Usage | undefined,
  request: ChatRequest,
  completionText: string,
): OpenAiUsage {
  if (usage) {
    return {
      prompt_tokens: usage.promptTokens,
      completion_tokens: usage.completionTokens,
      total_tokens: usage.totalTokens,
    };
  }
  const promptChars = request.messages.reduce((sum, message) => sum + message.content.length, 0);
  const prompt = estimatedTokens(promptChars);
  const completion = estimatedTokens(completionText.length);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
}
