import { Injectable } from '@nestjs/common';
import { encodeSseEvent, ErrorCodes } from '@tokenstream/stream-contracts';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import type { LimitStandings } from '../shared/limit-standing';
import type { Principal } from '../shared/principal';
import { ApiException } from '../common/api-exception';
import { KEEP_ALIVE_TEXT } from '../streams/frame-batch-encoder';
import type { DeliveryBatch, DeliverySocket } from '../streams/stream-delivery';
import { StreamReaders, type Delivery } from '../streams/stream-readers';
import { StreamStarter, type StartedStream } from '../streams/stream-starter';
import { ChatCompletionChunker, type ChunkEvent } from './chat-completion-chunker';
import { ChatCompletionFold } from './chat-completion-fold';
import { statusOfErrorFrame } from './in-band-error';
import type { OpenAiChatRequest } from './openai-chat-request';
import { toOpenAiUsage } from './openai-usage';
import type { TraceSpan } from '../tracing/trace-span';

/**
 * Who asked, for the logs and the limits, the request's `Idempotency-Key`, and who is told where
 * the caller's limits stand once they admit the request (not on joining another's reply).
 */
export interface CompletionContext {
  requestId: string;
  principal: Principal;
  idempotencyKey?: string;
  onAdmitted?: (standing: LimitStandings) => void;
  /** The request's span, when traced. */
  trace?: TraceSpan;
}

/**
 * What a chat completion answers: its stream's batches with the encoder that writes each as
 * OpenAI's events, or the whole completion.
 */
export type CompletionAnswer = {
  /** The stream read, whose id and pace the response names. */
  delivery: Delivery;
  /** The deployment that answered, when one did. */
  deployment: string | undefined;
} & ({ encode: (batch: DeliveryBatch) => string } | { completion: ChatCompletion });

/** One event of OpenAI's stream: a chunk's JSON, or the `[DONE]` sentinel as it is. */
function encodeChunkEvent(event: ChunkEvent): string {
  return encodeSseEvent({ data: typeof event === 'string' ? event : JSON.stringify(event) });
}

/**
 * `POST /v1/chat/completions` on top of the native streams: the same start (auth, limits, model
 * allow-list, logs, store) and the same delivery, in OpenAI's wire format. There is no resume on
 * this API, so a caller that leaves has its generation stopped at once (grace 0).
 */
@Injectable()
export class ChatCompletionsService {
  constructor(
    private readonly starter: StreamStarter,
    private readonly readers: StreamReaders,
  ) {}

  /**
   * The answer to the request, streamed or whole, for the caller on `socket`; errors before the
   * first byte are thrown; `undefined` when the caller left before its reply was started.
   */
  async answer(
    parsed: OpenAiChatRequest,
    context: CompletionContext,
    socket: DeliverySocket,
  ): Promise<CompletionAnswer | undefined> {
    const started = await this.starter.start(parsed.request, {
      ...context,
      api: 'openai',
      isClientGone: () => socket.destroyed,
    });
    // The caller left while the stream was admitted: nothing was started, nobody is there.
    if (!started) return undefined;
    const delivery = await this.readers.deliver(
      started.streamId,
      0,
      socket,
      context.principal,
      started.reader,
      context.trace,
    );
    if (!parsed.stream) {
      const completion = await this.complete(parsed, context, started, delivery, socket);
      return { delivery, deployment: await started.servedBy, completion };
    }
    // A caller that leaves cannot resume on this API: its generation is stopped at once (once
    // it has finished, there is nothing to stop), unless it named the request with an
    // Idempotency-Key: then its retry joins it, so it goes on for the grace period.
    if (!context.idempotencyKey) this.stopWhenGone(started.streamId, context.principal, socket);
    const chunker = new ChatCompletionChunker(parsed.includeUsage);
    // One write per batch, as on the native route; a keep-alive is a comment, which OpenAI's SSE
    // parsers skip.
    const encode = (batch: DeliveryBatch): string => {
      if (batch.length === 0) return KEEP_ALIVE_TEXT;
      let text = '';
      for (const { frame } of batch) {
        for (const chunk of chunker.eventsFor(frame)) text += encodeChunkEvent(chunk);
      }
      return text;
    };
    // The headers wait for the upstream's first chunk, as OpenAI's own do, to name who answered.
    const deployment = await started.servedBy;
    return { delivery, deployment, encode };
  }

  /** Waits for the whole reply and folds it into one `chat.completion`. */
  private complete(
    parsed: OpenAiChatRequest,
    context: CompletionContext,
    { streamId }: StartedStream,
    delivery: Delivery,
    socket: DeliverySocket,
  ): Promise<ChatCompletion> {
    // The very chunks a stream would send, usage included, folded into one completion.
    const chunker = new ChatCompletionChunker(true);
    const fold = new ChatCompletionFold();
    return new Promise<ChatCompletion>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        outcome();
      };
      const subscription = delivery.batches.subscribe({
        next: (batch) => {
          try {
            for (const { frame } of batch) {
              if (frame.type === 'error') {
                const status = statusOfErrorFrame(frame);
                throw new ApiException(status, frame.code, frame.message);
              }
              for (const event of chunker.eventsFor(frame)) {
                if (typeof event === 'object' && 'choices' in event) fold.add(event);
              }
              if (frame.type === 'finish') {
                const usage = toOpenAiUsage(frame.usage, parsed.request, fold.text);
                const completion = fold.completion(usage);
                settle(() => resolve(completion));
              }
            }
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
          if (!context.idempotencyKey) this.stopQuietly(streamId, context.principal);
        }
      };
      // The caller may have gone while the stream was admitted, before this listener.
      if (socket.destroyed) onClose();
      else socket.once('close', onClose);
    });
  }

  /** Stops the generation once its caller leaves. */
  private stopWhenGone(streamId: string, principal: Principal, socket: DeliverySocket): void {
    const stop = () => this.stopQuietly(streamId, principal);
    if (socket.destroyed) stop();
    else socket.once('close', stop);
  }

  /** Stops the generation of a caller who left; nobody is there to be told if that fails. */
  private stopQuietly(streamId: string, principal: Principal): void {
    this.readers.stop(streamId, principal).catch(() => undefined);
  }
}
