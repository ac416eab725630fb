import type { CompletionUsage } from 'openai/resources/completions';

/** Deterministic token counts: ~4 characters per prompt token, one completion token per content chunk. */
export function estimateUsage(
  messages: readonly unknown[],
  completionTokens: number,
): CompletionUsage {
  const promptTokens = Math.max(1, Math.ceil(promptCharacters(messages) / 4));
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}

function promptCharacters(messages: readonly unknown[]): number {
  let characters = 0;
  for (const message of messages) {
    if (typeof message !== 'object' || message === null || !('content' in message)) continue;
    const content = message.content;
    if (typeof content === 'string') {
      characters += content.length;
    } else if (Array.isArray(content)) {
      // Multi-part content: only the text parts count, as images are priced differently anyway.
      const parts: readonly unknown[] = content;
      for (const part of parts) {
        if (typeof part === 'object' && part !== null && 'text' in part) {
          characters += typeof part.text === 'string' ? part.text.length : 0;
        }
      }
    }
  }
  return characters;
}
