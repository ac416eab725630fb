import type { ChatRequest, StreamFrame } from '@tokenstream/stream-contracts';
import { errorFrameBody } from './in-band-error';
import type { OpenAiErrorBody } from './openai-error';
import { toOpenAiFinishReason, type OpenAiFinishReason } from './openai-finish-reason';
import { toOpenAiUsage, type OpenAiUsage } from './openai-usage';

/** One `chat.completion.chunk` of a streamed reply, as OpenAI sends it. */
export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: {
    index: 0;
    delta: { role?: 'assistant'; content?: string };
    logprobs: null;
    finish_reason: OpenAiFinishReason | null;
  }[];
  /** With `include_usage`: `null` on every chunk but the last, which carries the count. */
  usage?: OpenAiUsage | null;
}

/** The `data` of one SSE event on the OpenAI-compatible stream. */
export type ChunkEvent = ChatCompletionChunk | OpenAiErrorBody | '[DONE]';

/** The `data` that ends a successful stream, as OpenAI sends it. */
export const DONE = '[DONE]';

/**
 * Turns one stream's frames into OpenAI's stream events: a role chunk for `start`, a content chunk
 * per `text-delta`, and for `finish` a chunk with `finish_reason`, the usage chunk (`choices: []`)
 * when asked for, then `[DONE]`. An `error` frame becomes OpenAI's in-band error event
 * (`{ error: { … } }`, which the official SDKs throw as an `APIError`) and the stream ends there,
 * with no `[DONE]`, so a client reading the raw events cannot take a failed reply for a complete one.
 */
export class ChatCompletionChunker {
  private model: string;
  private text = '';

  constructor(
    private readonly id: string,
    private readonly created: number,
    private readonly request: ChatRequest & { model: string },
    private readonly includeUsage: boolean,
  ) {
    this.model = request.model;
  }

  /** The events one frame becomes (none for a frame OpenAI's format has no place for). */
  eventsFor(frame: StreamFrame): ChunkEvent[] {
    switch (frame.type) {
      case 'start':
        this.model = frame.model;
        return [this.chunk({ role: 'assistant', content: '' }, null)];
      case 'text-delta':
        this.text += frame.delta;
        return [this.chunk({ content: frame.delta }, null)];
      case 'finish': {
        const events: ChunkEvent[] = [this.chunk({}, toOpenAiFinishReason(frame.finishReason))];
        if (this.includeUsage) {
          events.push({
            ...this.base(),
            choices: [],
            usage: toOpenAiUsage(frame.usage, this.request, this.text),
          });
        }
        events.push(DONE);
        return events;
      }
      case 'error':
        return [errorFrameBody(frame)];
    }
  }

  private base(): Omit<ChatCompletionChunk, 'choices'> {
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
    };
  }

  private chunk(
    delta: ChatCompletionChunk['choices'][number]['delta'],
    finishReason: OpenAiFinishReason | null,
  ): ChatCompletionChunk {
    return {
      ...this.base(),
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(this.includeUsage ? { usage: null } : {}),
    };
  }
}
