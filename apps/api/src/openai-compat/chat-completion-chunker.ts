import type { StreamFrame } from '@tokenstream/stream-contracts';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { errorFrameBody } from './in-band-error';
import type { OpenAiErrorBody } from './openai-error';

/** The `data` of one SSE event on the OpenAI-compatible stream. */
export type ChunkEvent = ChatCompletionChunk | OpenAiErrorBody | '[DONE]';

/** The `data` that ends a successful stream, as OpenAI sends it. */
export const DONE = '[DONE]';

/**
 * Turns one `/v1` stream's frames into OpenAI's stream events: the upstream's chunks as they came,
 * then `[DONE]` for `finish`. tokenstream always asks the upstream for usage (its limits count
 * tokens); a caller that did not ask for `stream_options.include_usage` gets the chunks it would
 * have got without it: no usage chunk, no `usage: null`. An `error` frame becomes OpenAI's
 * in-band error event (`{ error: { … } }`, which the official SDKs throw as an `APIError`) and the
 * stream ends there, with no `[DONE]`, so a client reading the raw events cannot take a failed
 * reply for a complete one.
 */
export class ChatCompletionChunker {
  constructor(private readonly includeUsage: boolean) {}

  /** The events one frame becomes (none for a frame OpenAI's format has no place for). */
  eventsFor(frame: StreamFrame): ChunkEvent[] {
    switch (frame.type) {
      case 'openai-chunks':
        return this.asAsked(frame.chunks as unknown as ChatCompletionChunk[]);
      case 'finish':
        return [DONE];
      case 'error':
        return [errorFrameBody(frame)];
      default:
        return [];
    }
  }

  private asAsked(chunks: ChatCompletionChunk[]): ChatCompletionChunk[] {
    if (this.includeUsage) return chunks;
    const events: ChatCompletionChunk[] = [];
    for (const chunk of chunks) {
      if (chunk.choices.length === 0 && chunk.usage) continue;
      if (chunk.usage === null) {
        const { usage: _usage, ...withoutUsage } = chunk;
        events.push(withoutUsage);
      } else {
        events.push(chunk);
      }
    }
    return events;
  }
}
