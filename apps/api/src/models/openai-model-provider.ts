import OpenAI, { APIError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { createSseParser, type SseEvent, type Usage } from '@tokenstream/stream-contracts';
import { ModelEvent, ModelProvider, ModelRequest } from './model-provider';
import { upstreamBodyOf } from './upstream-fetch';
import { UpstreamEndedEarlyError } from './upstream-failure';

type ProviderFinishReason = Extract<ModelEvent, { type: 'finish' }>['finishReason'];

/** Maps OpenAI's `finish_reason` onto the protocol's: a reply that ends in tool calls ended well. */
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
  const reasoningTokens = usage.completion_tokens_details?.reasoning_tokens;
  const cachedPromptTokens = usage.prompt_tokens_details?.cached_tokens;
  return {
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    totalTokens: usage.total_tokens,
    ...(reasoningTokens ? { reasoningTokens } : {}),
    ...(cachedPromptTokens ? { cachedPromptTokens } : {}),
  };
}

/**
 * The thinking a chunk's delta carries: OpenAI's own API sends none, but the servers that stream
 * it do, as `reasoning_content` (vLLM, DeepSeek, LM Studio) or `reasoning` (Ollama, OpenRouter).
 */
function reasoningOf(delta: object | undefined): string {
  const { reasoning_content: content, reasoning } = (delta ?? {}) as {
    reasoning_content?: unknown;
    reasoning?: unknown;
  };
  if (typeof content === 'string') return content;
  return typeof reasoning === 'string' ? reasoning : '';
}

/**
 * Whether a chunk carries any of the reply (text, reasoning, a refusal, a tool call, the end)
 * rather than only announcing the assistant's role: until one does, a failed request can be
 * retried without the caller seeing anything twice.
 */
function carriesReply(chunk: ChatCompletionChunk): boolean {
  if (chunk.usage) return true;
  return (chunk.choices ?? []).some(
    (choice) =>
      choice.finish_reason ||
      Object.entries(choice.delta ?? {}).some(
        ([key, value]) => key !== 'role' && value !== '' && value !== null,
      ),
  );
}

/** A chunk as it may come: a `chat.completion.chunk`, or an error reported inside the stream. */
type ChunkOrError = Partial<ChatCompletionChunk> & { error?: object; message?: string };

/**
 * Any OpenAI-compatible upstream through the official SDK: OpenAI, Azure OpenAI, Ollama, vLLM,
 * LM Studio, llama.cpp's server, LiteLLM. The SDK makes the request (base URL, key, headers, and
 * its errors for a refused one); the reply's body is read here, with the contracts lib's SSE
 * parser, rather than through the SDK's iterator: the text of every chunk that arrived in one read
 * becomes one delta, so a burst costs one frame, and a token costs no chain of async iterators
 * (see bench/README.md, "Production scale"). The signal reaches the request, so aborting closes
 * the upstream socket.
 */
export class OpenAiModelProvider extends ModelProvider {
  readonly kind = 'openai' as const;

  constructor(private readonly client: OpenAI) {
    super();
  }

  async *stream(request: ModelRequest, signal: AbortSignal): AsyncIterable<ModelEvent> {
    const { openAiBody } = request;
    const response = await this.client.chat.completions
      .create(
        {
          ...(openAiBody ?? {
            messages: request.messages,
            temperature: request.temperature,
            max_tokens: request.maxTokens,
          }),
          model: request.model,
          stream: true,
          // Always asked for: the limits count the tokens the upstream reports.
          stream_options: { ...openAiBody?.stream_options, include_usage: true },
        },
        { signal },
      )
      .asResponse();
    const events: SseEvent[] = [];
    const parser = createSseParser({ onEvent: (event) => events.push(event) });
    let done = false;
    let finishReason: ProviderFinishReason | undefined;
    let usage: Usage | undefined;
    // Leading chunks that carry none of the reply, held until one does (see `carriesReply`).
    let held: ChatCompletionChunk[] = [];
    let replying = false;
    try {
      for await (const bytes of upstreamBodyOf(response)) {
        parser.feed(bytes);
        let text = '';
        let thinking = '';
        const chunks: ChatCompletionChunk[] = [];
        let fault: { error: unknown } | undefined;
        try {
          for (const event of events) {
            // As the SDK's iterator: `[DONE]` ends the reply, and what may follow it is ignored.
            if (done || event.data.startsWith('[DONE]')) {
              done = true;
              continue;
            }
            const chunk = JSON.parse(event.data) as ChunkOrError;
            if (event.event === 'error' || chunk.error) {
              throw new APIError(undefined, chunk.error, chunk.message, response.headers);
            }
            if (chunk.usage) usage = mapUsage(chunk.usage);
            if (openAiBody) chunks.push(chunk as ChatCompletionChunk);
            const choice = chunk.choices?.[0];
            if (choice?.delta?.content) text += choice.delta.content;
            thinking += reasoningOf(choice?.delta);
            if (choice?.finish_reason) finishReason = mapFinishReason(choice.finish_reason);
          }
        } catch (error) {
          fault = { error };
        }
        events.length = 0;
        // What came before a bad chunk of the same read was sent before it: the caller gets it.
        if (openAiBody) {
          // Once some of the reply went out, every read goes out as it is: no chunk is looked
          // into again (this runs per read of a /v1 reply).
          if (replying) {
            if (chunks.length > 0) yield { type: 'chunks', chunks, text };
          } else {
            const pending = held.concat(chunks);
            replying = pending.some(carriesReply);
            held = replying ? [] : pending;
            if (replying) yield { type: 'chunks', chunks: pending, text };
          }
        } else {
          // Within one read, the thinking came first: a model thinks, then answers.
          if (thinking) yield { type: 'reasoning', text: thinking };
          if (text) yield { type: 'delta', text };
        }
        if (fault) throw fault.error;
      }
    } catch (error) {
      // Aborted: the body's read fails with the abort, which is the caller's doing, not a fault.
      if (signal.aborted) return;
      throw error;
    }
    if (signal.aborted) return;
    if (!finishReason) throw new UpstreamEndedEarlyError();
    yield { type: 'finish', finishReason, usage };
  }
}
