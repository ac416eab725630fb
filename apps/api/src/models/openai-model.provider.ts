import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { Usage } from '@tokenstream/stream-contracts';
import { ModelEvent, ModelProvider, ModelRequest } from './model-provider';
import { UpstreamEndedEarlyError } from './upstream-failure';

type ProviderFinishReason = Extract<ModelEvent, { type: 'finish' }>['finishReason'];

/** Maps OpenAI's `finish_reason` onto the protocol's; tool calls are not used, so they end as `stop`. */
function mapFinishReason(
  reason: ChatCompletionChunk.Choice['finish_reason'],
): ProviderFinishReason {
  switch (reason) {
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}

function mapUsage(usage: NonNullable<ChatCompletionChunk['usage']>): Usage {
  return {
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    totalTokens: usage.total_tokens,
  };
}

/**
 * Any OpenAI-compatible upstream through the official SDK: OpenAI, Azure OpenAI, Ollama, vLLM,
 * LM Studio, llama.cpp's server, LiteLLM. The SDK reads the base URL; the signal reaches its fetch,
 * so aborting closes the upstream socket.
 */
export class OpenAiModelProvider extends ModelProvider {
  readonly kind = 'openai' as const;

  constructor(private readonly client: OpenAI) {
    super();
  }

  async *stream(request: ModelRequest, signal: AbortSignal): AsyncIterable<ModelEvent> {
    const stream = await this.client.chat.completions.create(
      {
        model: request.model,
        messages: request.messages,
        temperature: request.temperature,
        max_tokens: request.maxTokens,
        stream: true,
        stream_options: { include_usage: true },
      },
      { signal },
    );
    let finishReason: ProviderFinishReason | undefined;
    let usage: Usage | undefined;
    for await (const chunk of stream) {
      if (chunk.usage) usage = mapUsage(chunk.usage);
      const choice = chunk.choices[0];
      if (choice?.delta?.content) yield { type: 'delta', text: choice.delta.content };
      if (choice?.finish_reason) finishReason = mapFinishReason(choice.finish_reason);
    }
    // openai 6 ends the loop quietly on abort rather than throwing.
    if (signal.aborted) return;
    if (!finishReason) throw new UpstreamEndedEarlyError();
    yield { type: 'finish', finishReason, usage };
  }
}
