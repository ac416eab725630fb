import type { CompletionUsage } from 'openai/resources/completions';
import type { CreateEmbeddingResponse } from 'openai/resources/embeddings';
import type { EmbeddingInput } from './embeddings-request';

/** Deterministic token counts: ~4 characters per prompt token, one completion token per content chunk. */
export function estimateUsage(
  messages: readonly unknown[],
  completionTokens: number,
): CompletionUsage {
  const promptTokens = tokensOfCharacters(promptCharacters(messages));
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}

/**
 * Deterministic embeddings usage, summed over the inputs: a text counts ceil(characters / 4) tokens
 * (at least 1), a token list its length. Embeddings have no completion, so total = prompt tokens.
 */
export function estimateEmbeddingUsage(
  inputs: readonly EmbeddingInput[],
): CreateEmbeddingResponse.Usage {
  let promptTokens = 0;
  for (const input of inputs) {
    promptTokens += typeof input === 'string' ? tokensOfCharacters(input.length) : input.length;
  }
  return { prompt_tokens: promptTokens, total_tokens: promptTokens };
}

// The one rule both estimates share: ~4 characters per token (UTF-16 units, as String#length counts),
// at least one, so a test can compute the expected count from its own text.
function tokensOfCharacters(characters: number): number {
  return Math.max(1, Math.ceil(characters / 4));
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
