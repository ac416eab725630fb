import type { ChatRequest, StreamFrame } from '@tokenstream/stream-contracts';
import { ApiException } from '../common/api-exception';
import { statusOfErrorFrame } from './in-band-error';
import { toOpenAiFinishReason, type OpenAiFinishReason } from './openai-finish-reason';
import { toOpenAiUsage, type OpenAiUsage } from './openai-usage';

/** A whole reply in OpenAI's `chat.completion` shape (the non-streaming answer). */
export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: {
    index: 0;
    message: { role: 'assistant'; content: string; refusal: null };
    logprobs: null;
    finish_reason: OpenAiFinishReason;
  }[];
  usage: OpenAiUsage;
}

/**
 * Collects one stream's frames into a {@link ChatCompletion}. An `error` frame throws an
 * {@link ApiException} with a matching status, since no byte of the answer has been sent yet.
 */
export class ChatCompletionAssembler {
  private model: string;
  private text = '';

  constructor(
    private readonly id: string,
    private readonly created: number,
    private readonly request: ChatRequest & { model: string },
  ) {
    this.model = request.model;
  }

  /** Takes one frame; returns the completion once the reply has finished, `undefined` before. */
  add(frame: StreamFrame): ChatCompletion | undefined {
    switch (frame.type) {
      case 'start':
        this.model = frame.model;
        return undefined;
      case 'text-delta':
        this.text += frame.delta;
        return undefined;
      case 'error':
        throw new ApiException(statusOfErrorFrame(frame), frame.code, frame.message);
      case 'finish':
        return {
          id: this.id,
          object: 'chat.completion',
          created: this.created,
          model: this.model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: this.text, refusal: null },
              logprobs: null,
              finish_reason: toOpenAiFinishReason(frame.finishReason),
            },
          ],
          usage: toOpenAiUsage(frame.usage, this.request, this.text),
        };
    }
  }
}
