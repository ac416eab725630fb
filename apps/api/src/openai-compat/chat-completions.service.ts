import { Injectable } from '@nestjs/common';
import { DEPLOYMENT_HEADER, encodeSseEvent, ErrorCodes } from '@tokenstream/stream-contracts';
import type { Response } from 'express';
import type { Principal } from '../shared/principal';
import { ApiException } from '../common/api-exception';
import { sendEventStream } from '../common/event-stream-response';
import { KEEP_ALIVE_TEXT } from '../streams/frame-batch-encoder';
import type { DeliveryBatch } from '../streams/stream-delivery';
import { setDeliveryHeaders } from '../streams/send-delivery';
import { StreamReaders } from '../streams/stream-readers';
import { StreamStarter } from '../streams/stream-starter';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import { ChatCompletionChunker, type ChunkEvent } from './chat-completion-chunker';
import { ChatCompletionFold } from './chat-completion-fold';
import { statusOfErrorFrame } from './in-band-error';
import type { OpenAiChatRequest } from './openai-chat-request';
import { toOpenAiUsage } from './openai-usage';

/** Who asked, for the logs and the limits, and the request's `Idempotency-Key`. */
interface RequestContext {
  requestId: string;
  principal: Principal;
  idempotencyKey?: string;
}

/** Names the deployment that answered, when one did and the response has not started. */
function setDeploymentHeader(res: Response, deployment: string | undefined): void {
  if (deployment && !res.headersSent) res.setHeader(DEPLOYMENT_HEADER, deployment);
}

/** One event of OpenAI's stream: a chunk's JSON, or the `[DONE]` sentinel as it is. */
function encodeChunkEvent(event: ChunkEvent): string {
  return encodeSseEvent({ data: typeof event === 'string' ? event : JSON.stringify(event) });
}

/**
 * `POST /v1/chat/completions` on top of the native streams: the same start (auth, limits, model
 * allow-list, logs, store) and the same delivery, written in OpenAI's wire format. There is no
 * resume on this API, so a caller that leaves has its generation stopped at once (grace 0).
 */
@Injectable()
export class ChatCompletionsService {
  constructor(
    private readonly starter: StreamStarter,
    private readonly readers: StreamReaders,
  ) {}

  /** Answers the request on `res`, streamed or whole; errors before the first byte are thrown. */
  async respond(parsed: OpenAiChatRequest, context: RequestContext, res: Response): Promise<void> {
    if (parsed.stream) return this.stream(parsed, context, res);
    const answer = await this.complete(parsed, context, res);
    if (!answer) return;
    setDeploymentHeader(res, await answer.servedBy);
    res.status(200).json(answer.completion);
  }

  /** Writes the reply as `chat.completion.chunk` events, then `[DONE]`. */
  private async stream(
    parsed: OpenAiChatRequest,
    context: RequestContext,
    res: Response,
  ): Promise<void> {
    const started = await this.starter.start(parsed.request, {
      ...context,
      api: 'openai',
      isClientGone: () => res.destroyed,
    });
    // The caller left while the stream was admitted: nothing was started, nobody is there.
    if (!started) return;
    const { streamId } = started;
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
    const delivery = await this.readers.deliver(
      streamId,
      0,
      res,
      context.principal,
      started.reader,
    );
    setDeliveryHeaders(res, delivery);
    // A caller that leaves cannot resume on this API: its generation is stopped at once (once
    // it has finished, there is nothing to stop), unless it named the request with an
    // Idempotency-Key: then its retry joins it, so it goes on for the grace period.
    if (!context.idempotencyKey) {
      const stop = () => this.stopQuietly(streamId, context.principal);
      if (res.destroyed) stop();
      else res.once('close', stop);
    }
    // The headers wait for the upstream's first chunk, as OpenAI's own do, to name who answered.
    setDeploymentHeader(res, await started.servedBy);
    sendEventStream(res, delivery.batches, encode);
  }

  /** Waits for the whole reply and answers it as one `chat.completion`. */
  private async complete(
    parsed: OpenAiChatRequest,
    context: RequestContext,
    res: Response,
  ): Promise<{ completion: ChatCompletion; servedBy: Promise<string | undefined> } | undefined> {
    const started = await this.starter.start(parsed.request, {
      ...context,
      api: 'openai',
      isClientGone: () => res.destroyed,
    });
    // The caller left while the stream was admitted: nothing was started, nobody is there.
    if (!started) return undefined;
    const { streamId } = started;
    // The very chunks a stream would send, usage included, folded into one completion.
    const chunker = new ChatCompletionChunker(true);
    const fold = new ChatCompletionFold();
    const delivery = await this.readers.deliver(
      streamId,
      0,
      res,
      context.principal,
      started.reader,
    );
    setDeliveryHeaders(res, delivery);
    const completion = new Promise<ChatCompletion>((resolve, reject) => {
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
      if (res.destroyed) onClose();
      else res.on('close', onClose);
    });
    return { completion: await completion, servedBy: started.servedBy };
  }

  /** Stops the generation of a caller who left; nobody is there to be told if that fails. */
  private stopQuietly(streamId: string, principal: Principal): void {
    this.readers.stop(streamId, principal).catch(() => undefined);
  }
}
