import type { Usage } from '@tokenstream/stream-contracts';

/** About four characters make a token in English text: the estimate when usage is unknown. */
const CHARS_PER_TOKEN = 4;

/** The tokens `chars` characters make, estimated: the one estimate wherever usage is unknown. */
export function estimatedTokens(chars: number): number {
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

/** What is known of a finished stream's size. */
export interface StreamSize {
  /** The usage the upstream reported in the `finish` frame, if it did. */
  usage?: Usage;
  /** Characters of the request's messages. */
  promptChars: number;
  /** Characters of text generated. */
  completionChars: number;
}

/**
 * The tokens a stream used: the upstream's own count when it reported one, otherwise (the stream
 * was cut, stopped or failed) an estimate from the characters of the prompt and of the reply.
 */
export function tokensUsed({ usage, promptChars, completionChars }: StreamSize): number {
  if (usage) return usage.totalTokens;
  return estimatedTokens(promptChars) + estimatedTokens(completionChars);
}
