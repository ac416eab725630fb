import { Injectable, Logger, type MessageEvent } from '@nestjs/common';
import {
  ErrorCodes,
  EVENT_STREAM_CONTENT_TYPE,
  isStreamFrame,
  type StreamFrame,
} from '@tokenstream/stream-contracts';
import type { Response } from 'express';
import type { Principal } from '../auth/principal';
import { ApiException } from '../common/api-exception';
import { GenerationRegistry } from '../streams/generation-registry';
import { StreamsService } from '../streams/streams.service';
import { ChatCompletionAssembler, type ChatCompletion } from './chat-completion-assembler';
import { ChatCompletionChunker, type ChunkEvent } from './chat-completion-chunker';
import type { OpenAiChatRequest } from './openai-chat-request';

/** Who asked, for the logs and the limits. */
interface RequestContext {
  requestId: string;
  principal: Principal;
}

/** OpenAI's completion ids look like `chatcmpl-…`; ours carry the stream id, for the logs. */
function completionId(streamId: string): string {
  return `chatcmpl-${streamId.replaceAll('-', '')}`;
}

function nowInSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function frameOf(event: MessageEvent): StreamFrame | undefined {
  return isStreamFrame(event.data) ? event.data : undefined;
}

function sseData(event: ChunkEvent): string {
  return `data: ${typeof event === 'string' ? event : JSON.stringify(event)}\n\n`;
}

/**
 * `POST /v1/chat/completions` on top of the native streams: the same start (auth, limits, model
 * allow-list, logs, store) and the same delivery, written in OpenAI's wire format. There is no
 * resume on this API, so a caller that leaves has its generation stopped at once (grace 0).
 */
@Injectable()
export class ChatCompletionsService {
  private readonly logger = new Logger(ChatCompletionsService.name);

  constructor(
    private readonly streams: StreamsService,
    private readonly registry: GenerationRegistry,
  ) {}

  /** Answers the request on `res`, streamed or whole; errors before the first byte are thrown. */
  async respond(parsed: OpenAiChatRequest, context: RequestContext, res: Response): Promise<void> {
    if (parsed.stream) return this.stream(parsed, context, res);
    const completion = await this.complete(parsed, context, res);
    if (completion) res.status(200).json(completion);
  }

  /** Writes the reply as `chat.completion.chunk` events, then `[DONE]`. */
  private async stream(
    parsed: OpenAiChatRequest,
    context: RequestContext,
    res: Response,
  ): Promise<void> {
    const started = await this.streams.start(parsed.request, {
      ...context,
      api: 'openai',
      isClientGone: () => res.destroyed,
    });
    // The caller left while the stream was admitted: nothing was started, nobody is there.
    if (!started) return;
    const { streamId } = started;
    const chunker = new ChatCompletionChunker(
      completionId(streamId),
      nowInSeconds(),
      parsed.request,
      parsed.includeUsage,
    );
    res.status(200);
    res.setHeader('Content-Type', `${EVENT_STREAM_CONTENT_TYPE}; charset=utf-8`);
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('X-Accel-Buffering', 'no');
    let ended = false;
    const delivery = this.streams.deliver(streamId, 0, res, context.principal, started.reader);
    const subscription = delivery.subscribe({
      next: (event) => {
        const frame = frameOf(event);
        if (!frame) {
          // The delivery's keep-alive: a comment, which OpenAI's SSE parsers skip.
          if (event.data === undefined) res.write(': keep-alive\n\n');
          return;
        }
        for (const chunk of chunker.eventsFor(frame)) res.write(sseData(chunk));
      },
      complete: () => {
        ended = true;
        res.end();
      },
      error: (error: unknown) => {
        ended = true;
        this.logger.error({ streamId, err: error }, 'delivery failed');
        res.end();
      },
    });
    res.on('close', () => {
      subscription.unsubscribe();
      if (!ended) this.registry.interrupt(streamId, 'stop');
    });
  }

  /** Waits for the whole reply and answers it as one `chat.completion`. */
  private async complete(
    parsed: OpenAiChatRequest,
    context: RequestContext,
    res: Response,
  ): Promise<ChatCompletion | undefined> {
    const started = await this.streams.start(parsed.request, {
      ...context,
      api: 'openai',
      isClientGone: () => res.destroyed,
    });
    // The caller left while the stream was admitted: nothing was started, nobody is there.
    if (!started) return undefined;
    const { streamId } = started;
    const assembler = new ChatCompletionAssembler(
      completionId(streamId),
      nowInSeconds(),
      parsed.request,
    );
    return new Promise<ChatCompletion>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        outcome();
      };
      const delivery = this.streams.deliver(streamId, 0, res, context.principal, started.reader);
      const subscription = delivery.subscribe({
        next: (event) => {
          const frame = frameOf(event);
          if (!frame) return;
          try {
            const completion = assembler.add(frame);
            if (completion) settle(() => resolve(completion));
          } catch (error) {
            settle(() => reject(error));
          }
        },
        complete: () =>
          settle(() =>
            reject(
              new ApiException(500, ErrorCodes.internalError, 'The reply ended without finishing.'),
            ),
          ),
        error: (error: unknown) => settle(() => reject(error)),
      });
      const onClose = (): void => {
        subscription.unsubscribe();
        if (!settled) {
          settled = true;
          this.registry.interrupt(streamId, 'stop');
        }
      };
      // The caller may have gone while the stream was admitted, before this listener.
      if (res.destroyed) onClose();
      else res.on('close', onClose);
    });
  }
}
