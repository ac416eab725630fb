import type { ErrorFrame, FinishReason, StreamFrame, Usage } from './frames';

/**
 * What a reply's frames add up to: its text (and a reasoning model's thinking) so far and, once it
 * ended, how. The one fold of a
 * reply's frames, used by the client as it reads and by the server as it keeps the reply.
 */
export class ReplyAccumulator {
  text = '';
  /** A reasoning model's thinking, before its text; empty for other models. */
  reasoning = '';
  model: string | undefined;
  finishReason: FinishReason | undefined;
  usage: Usage | undefined;
  error: Omit<ErrorFrame, 'type'> | undefined;

  /** True once a `finish` or an `error` frame was added. */
  get ended(): boolean {
    return this.finishReason !== undefined || this.error !== undefined;
  }

  add(frame: StreamFrame): void {
    switch (frame.type) {
      case 'start':
        this.model = frame.model;
        break;
      case 'text-delta':
        this.text += frame.delta;
        break;
      case 'reasoning-delta':
        this.reasoning += frame.delta;
        break;
      case 'finish':
        this.finishReason = frame.finishReason;
        this.usage = frame.usage;
        break;
      case 'error':
        this.error = { code: frame.code, message: frame.message, retryable: frame.retryable };
        break;
    }
  }
}
