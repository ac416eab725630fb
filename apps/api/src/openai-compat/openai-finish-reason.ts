import type { FinishReason } from '@tokenstream/stream-contracts';

/** The finish reasons OpenAI's clients know. */
export type OpenAiFinishReason = 'stop' | 'length' | 'content_filter';

/** tokenstream's reason as OpenAI's: a reply stopped on request ended like a normal one (`stop`). */
export function toOpenAiFinishReason(reason: FinishReason): OpenAiFinishReason {
  return reason === 'cancelled' ? 'stop' : reason;
}
