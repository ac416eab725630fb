import type { ChatRequest, Usage } from '@tokenstream/stream-contracts';

/** About four characters make a token in English text: the estimate when the upstream gave none. */
const CHARS_PER_TOKEN = 4;

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
  const prompt = Math.ceil(promptChars / CHARS_PER_TOKEN);
  const completion = Math.ceil(completionText.length / CHARS_PER_TOKEN);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
}
