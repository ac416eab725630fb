import type OpenAI from 'openai';
import {
  ModelProvider,
  type ModelEvent,
  type ModelRequest,
  type ModelSink,
} from './model-provider';
import { OpenAiReplyReader } from './openai-reply-reader';
import { readUpstreamBody } from './upstream-fetch';
import { UpstreamSpan, type UpstreamTarget } from './upstream-span';

/**
 * Any OpenAI-compatible upstream through the official SDK: OpenAI, Azure OpenAI, Ollama, vLLM,
 * LM Studio, llama.cpp's server, LiteLLM. The SDK makes the request (base URL, key, headers, and
 * its errors for a refused one); the reply's body is read here, from the socket's `data` events
 * through {@link OpenAiReplyReader}, so a token reaches the sink in the turn its bytes arrived in,
 * with no async iterator between (see bench/README.md). The signal reaches the request, so
 * aborting closes the upstream socket.
 */
export class OpenAiModelProvider extends ModelProvider {
  readonly kind = 'openai' as const;

  constructor(
    private readonly client: OpenAI,
    /** Where its requests go, for their spans. */
    private readonly target?: UpstreamTarget,
  ) {
    super();
  }

  stream(request: ModelRequest, signal: AbortSignal, sink: ModelSink): void {
    if (signal.aborted) return sink.done();
    const { openAiBody } = request;
    const span = UpstreamSpan.start(request, this.target);
    let over = false;
    let stopReading: (() => void) | undefined;
    const end = (failure?: { error: unknown }) => {
      if (over) return;
      over = true;
      signal.removeEventListener('abort', onAbort);
      stopReading?.();
      span?.end(signal, failure);
      if (failure) sink.fail(failure.error);
      else sink.done();
    };
    // Aborted: the reply ends quietly, as the caller asked, whatever the socket says after.
    const onAbort = () => end();
    signal.addEventListener('abort', onAbort, { once: true });
    this.client.chat.completions
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
        span ? { signal, headers: span.headers() } : { signal },
      )
      .asResponse()
      .then(
        (response) => {
          if (over) return void response.body?.cancel().catch(() => undefined);
          // The sink may stop the reply as it takes an event (a reply grown too large): what the
          // same read still holds is then dropped, as the sink is told nothing after the end.
          const push = (event: ModelEvent) => over || sink.next(event);
          const reader = new OpenAiReplyReader(
            Boolean(openAiBody),
            response.headers,
            span ? span.watch(push) : push,
          );
          span?.reads(reader);
          stopReading = readUpstreamBody(response, {
            next: (bytes) => {
              if (over) return;
              try {
                reader.read(bytes);
              } catch (error) {
                end({ error });
              }
            },
            done: () => {
              try {
                reader.end();
                end();
              } catch (error) {
                end({ error });
              }
            },
            fail: (error) => end({ error }),
          });
        },
        (error: unknown) => end(signal.aborted ? undefined : { error }),
      );
  }
}
