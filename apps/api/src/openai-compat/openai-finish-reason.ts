import type { FinishReason } from '@tokenstream/stream-contracts';

/** The finish reasons tokenstream sends, among those OpenAI's clients know. */
export const OPENAI_FINISH_REASONS = ['stop', 'length', 'content_filter'] as const;

/** One of {@link OPENAI_FINISH_REASONS}. */
export type OpenAiFinishReason = (typeof OPENAI_FINISH_REASONS)[number];

/** tokenstream's reason as OpenAI's: a reply stopped on request ended like a normal one (`stop`). */
export function toOpenAiFinishReason(reason: FinishReason): OpenAiFinishReason {
  return reason === 'cancelled' ? 'stop' : reason;
}
