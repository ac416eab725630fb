import type {
  ChatRequest,
  ErrorFrame,
  FinishFrame,
  ReceivedFrame,
} from '@tokenstream/stream-contracts';
import { ReplyAccumulator } from '@tokenstream/stream-contracts';
import type { ChatStreamEvent } from './chat-stream-event';
import { followStream, type FollowOptions, type FollowStart } from './stream-follower';

/** Where the api is, how to call it, and how patiently to resume. */
export type StreamChatOptions = FollowOptions;

/** How a reply ended: its text, and the `finish` or `error` frame that ended it. */
export interface ChatResult {
  streamId: string;
  /** The text this call received (for {@link resumeChat}: after the frame it resumed from). */
  text: string;
  /** A reasoning model's thinking before the text (`reasoning-delta` frames); empty otherwise. */
  reasoning: string;
  finish?: FinishFrame;
  error?: ErrorFrame;
}

/**
 * A reply being streamed. Read it one way, once: iterate it for its frames, iterate `events()` for
 * the frames and the connection's changes, or just await `final()`.
 */
export interface ChatStream extends AsyncIterable<ReceivedFrame> {
  /** The frames and the connection's changes (`connected`, `reconnecting`), in order. */
  events(): AsyncIterable<ChatStreamEvent>;
  /** Reads the rest of the stream (if nobody iterates it) and resolves with the result. */
  final(): Promise<ChatResult>;
}

/**
 * Starts a chat reply on a tokenstream api and streams its frames. A dropped connection (a cut, a
 * network error, a silence past twice the heartbeat, the browser going offline) is resumed with
 * `Last-Event-ID` through `GET /api/streams/:id/events`, with backoff and a bounded number of tries;
 * the prompt is sent once only, so a reply is never paid for twice. Frames are never repeated or
 * skipped.
 */
export function streamChat(request: ChatRequest, options: StreamChatOptions): ChatStream {
  return new ChatRun({ request }, options);
}

/**
 * Picks up the stream `streamId` after the frame `lastEventId` (from its start when undefined): the
 * frames that followed it, then the live tail, resuming after cuts as {@link streamChat} does.
 * Fails with kind `gone` when the api no longer has the stream.
 */
export function resumeChat(
  stream: { streamId: string; lastEventId?: string },
  options: StreamChatOptions,
): ChatStream {
  return new ChatRun(stream, options);
}

class ChatRun implements ChatStream {
  private streamId: string | undefined;
  private readonly reply = new ReplyAccumulator();
  private result: ChatResult | undefined;
  private reading = false;
  private settle!: { resolve(result: ChatResult): void; reject(error: unknown): void };
  private readonly completion = new Promise<ChatResult>((resolve, reject) => {
    this.settle = { resolve, reject };
  });

  constructor(
    private readonly start: FollowStart,
    private readonly options: StreamChatOptions,
  ) {
    if ('streamId' in start) this.streamId = start.streamId;
    // Whoever never asks for the result must not see an unhandled rejection.
    this.completion.catch(() => undefined);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ReceivedFrame, void, undefined> {
    for await (const event of this.events()) {
      if (event.kind === 'frame') yield { id: event.id, frame: event.frame };
    }
  }

  async *events(): AsyncGenerator<ChatStreamEvent, void, undefined> {
    if (this.reading) throw new Error('a chat stream can be read once');
    this.reading = true;
    try {
      for await (const event of followStream(this.start, this.options)) {
        if (event.kind === 'connected') this.streamId ??= event.streamId;
        if (event.kind === 'frame') this.record(event);
        yield event;
      }
    } catch (error) {
      this.settle.reject(error);
      throw error;
    } finally {
      // Settling twice is a no-op: this covers the end, a failure, and a reader that left early.
      if (this.result) this.settle.resolve(this.result);
      else this.settle.reject(new Error('the stream was left before its end'));
    }
  }

  async final(): Promise<ChatResult> {
    if (!this.reading) {
      for await (const event of this.events()) void event;
    }
    return this.completion;
  }

  private record({ frame }: ReceivedFrame): void {
    if (frame.type === 'start') this.streamId ??= frame.streamId;
    this.reply.add(frame);
    if (frame.type === 'finish' || frame.type === 'error') {
      this.result = {
        streamId: this.streamId as string,
        text: this.reply.text,
        reasoning: this.reply.reasoning,
        ...(frame.type === 'finish' ? { finish: frame } : { error: frame }),
      };
    }
  }
}
