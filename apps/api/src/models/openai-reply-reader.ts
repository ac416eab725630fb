import { APIError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import {
  createSseParser,
  type SseEvent,
  type SseParser,
  type Usage,
} from '@tokenstream/stream-contracts';
import type { ModelEvent } from './model-provider';
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
 * Turns an OpenAI-compatible stream's body, read by read, into a reply's events, with the contracts
 * lib's SSE parser rather than the SDK's iterator: the text of every chunk that arrived in one read
 * becomes one delta, so a burst costs one frame. For a `/v1` request (`passChunks`) it pushes the
 * upstream's chunks as they came instead, once one carries some of the reply.
 */
export class OpenAiReplyReader {
  private readonly events: SseEvent[] = [];
  private readonly parser = createSseParser({
    onEvent: (event) => this.events.push(event),
  });
  private sawDone = false;
  private finishReason: ProviderFinishReason | undefined;
  private usage: Usage | undefined;
  private model: string | undefined;
  /** Leading chunks that carry none of the reply, held until one does (see `carriesReply`). */
  private held: ChatCompletionChunk[] = [];
  private replying = false;

  constructor(
    private readonly passChunks: boolean,
    /** The response's headers, for the errors an upstream reports inside its stream. */
    private readonly headers: Headers,
    /** Where each event goes, in order. */
    private readonly push: (event: ModelEvent) => void,
  ) {}

  /**
   * One read of the body: what it completes is pushed. Throws for a chunk that is not JSON or
   * that reports an error, after pushing what came before it in the same read.
   */
  read(bytes: Uint8Array): void {
    this.parser.feed(bytes);
    let text = '';
    let thinking = '';
    const chunks: ChatCompletionChunk[] = [];
    let fault: { error: unknown } | undefined;
    try {
      for (const event of this.events) {
        // As the SDK's iterator: `[DONE]` ends the reply, and what may follow it is ignored.
        if (this.sawDone || event.data.startsWith('[DONE]')) {
          this.sawDone = true;
          continue;
        }
        const chunk = JSON.parse(event.data) as ChunkOrError;
        if (event.event === 'error' || chunk.error) {
          throw new APIError(undefined, chunk.error, chunk.message, this.headers);
        }
        if (chunk.usage) {
          this.usage = mapUsage(chunk.usage);
          // Read from the chunk that ends the reply, not from every chunk: for the reply's span.
          this.model = chunk.model;
        }
        if (this.passChunks) chunks.push(chunk as ChatCompletionChunk);
        const choice = chunk.choices?.[0];
        if (choice?.delta?.content) text += choice.delta.content;
        thinking += reasoningOf(choice?.delta);
        if (choice?.finish_reason) this.finishReason = mapFinishReason(choice.finish_reason);
      }
    } catch (error) {
      fault = { error };
    }
    this.events.length = 0;
    // What came before a bad chunk of the same read was sent before it: the caller gets it.
    if (this.passChunks) this.pushChunks(chunks, text);
    else {
      // Within one read, the thinking came first: a model thinks, then answers.
      if (thinking) this.push({ type: 'reasoning', text: thinking });
      if (text) this.push({ type: 'delta', text });
    }
    if (fault) throw fault.error;
  }

  /** The model the upstream says answered, as its usage chunk names it (once that came). */
  get responseModel(): string | undefined {
    return this.model;
  }

  /** The body ended: pushes `finish`, or throws if the upstream never said why it stopped. */
  end(): void {
    if (!this.finishReason) throw new UpstreamEndedEarlyError();
    this.push({ type: 'finish', finishReason: this.finishReason, usage: this.usage });
  }

  private pushChunks(chunks: ChatCompletionChunk[], text: string): void {
    // Once some of the reply went out, every read goes out as it is: no chunk is looked into
    // again (this runs per read of a /v1 reply).
    if (this.replying) {
      if (chunks.length > 0) this.push({ type: 'chunks', chunks, text });
      return;
    }
    const pending = this.held.concat(chunks);
    this.replying = pending.some(carriesReply);
    this.held = this.replying ? [] : pending;
    if (this.replying) this.push({ type: 'chunks', chunks: pending, text });
  }
}
