import type { Usage } from '@tokenstream/stream-contracts';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { newUuidV7 } from '../common/uuid-v7';

type FinishReason = NonNullable<ChatCompletionChunk.Choice['finish_reason']>;

/**
 * The demo model's reply as the `chat.completion.chunk` objects an OpenAI upstream would send, for
 * a `/v1` request: a `/v1` stream carries chunks, whichever model answers it.
 */
export class DemoChunks {
  private readonly id = `chatcmpl-demo${newUuidV7().replaceAll('-', '')}`;
  private readonly created = Math.floor(Date.now() / 1000);
  private announced = false;

  constructor(private readonly model: string) {}

  /** One token of text; the first one also announces the assistant's role, as OpenAI does. */
  text(token: string): ChatCompletionChunk {
    const delta: ChatCompletionChunk.Choice.Delta = this.announced
      ? { content: token }
      : { role: 'assistant', content: token };
    this.announced = true;
    return this.chunk([{ index: 0, delta, logprobs: null, finish_reason: null }]);
  }

  /** The last chunks: the finish reason, then the usage (the upstream's `include_usage` chunk). */
  end(finishReason: FinishReason, usage: Usage): ChatCompletionChunk[] {
    return [
      this.chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }]),
      {
        ...this.chunk([]),
        usage: {
          prompt_tokens: usage.promptTokens,
          completion_tokens: usage.completionTokens,
          total_tokens: usage.totalTokens,
        },
      },
    ];
  }

  private chunk(choices: ChatCompletionChunk.Choice[]): ChatCompletionChunk {
    const { id, created, model } = this;
    return { id, object: 'chat.completion.chunk', created, model, choices };
  }
}
