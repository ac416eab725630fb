import type OpenAI from 'openai';
import { ModelProvider, type ModelRequest, type ModelSink } from './model-provider';
import { OpenAiReplyReader } from './openai-reply-reader';
import { readUpstreamBody } from './upstream-fetch';

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

  constructor(private readonly client: OpenAI) {
    super();
  }

  stream(request: ModelRequest, signal: AbortSignal, sink: ModelSink): void {
    if (signal.aborted) return sink.done();
    const { openAiBody } = request;
    let over = false;
    let stopReading: (() => void) | undefined;
    const end = (failure?: { error: unknown }) => {
      if (over) return;
      over = true;
      signal.removeEventListener('abort', onAbort);
      stopReading?.();
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
        { signal },
      )
      .asResponse()
      .then(
        (response) => {
          if (over) return void response.body?.cancel().catch(() => undefined);
          // The sink may stop the reply as it takes an event (a reply grown too large): what the
          // same read still holds is then dropped, as the sink is told nothing after the end.
          const reader = new OpenAiReplyReader(
            Boolean(openAiBody),
            response.headers,
            (event) => over || sink.next(event),
          );
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
