import { signal } from '@angular/core';
import { ChatClientError, ChatStreamEvent } from '@tokenstream/stream-client';
import type { ReplyPlace, StreamFrame } from '@tokenstream/stream-contracts';
import { Observable, Subscription } from 'rxjs';
import { ChatNode, ReplyError } from './conversation-tree';
import { DeltaBuffer } from './delta-buffer';

/** What a reply cut off by an expired session says under it: the api goes on writing it. */
const PAUSED: ReplyError = {
  kind: 'unauthenticated',
  message: 'Paused: sign in to see the rest of this reply; it is kept meanwhile.',
  retryable: false,
};

/** What a streaming reply needs of the conversation it streams into. */
export interface ReplyHost {
  /** Changes the reply's message, found by its id as it is now. */
  change(nodeId: string, change: (node: ChatNode) => ChatNode): void;
  /** The api kept the turn of the reply `nodeId`: its messages take the api's ids. */
  placed(nodeId: string, place: ReplyPlace, resumed: boolean): void;
  /** A connection opened: the api accepted this browser (again). */
  connected(): void;
  /** Shows the session-expired notice if `error` says the session is gone; whether it did. */
  noticeExpiry(error: unknown): boolean;
  /** Asks the api to stop generating `streamId`. */
  stopStream(streamId: string): Promise<void>;
  /** The reply ended, or was left: it changes nothing any more. */
  released(reply: StreamingReply): void;
}

/**
 * One reply's streaming life, from its first event to its end: its text and thinking written into
 * its message (at most once per frame), reconnecting, being stopped, and how it ended.
 */
export class StreamingReply {
  /** Whether the connection broke and is being resumed. */
  readonly reconnecting = signal(false);
  /** Whether Stop was pressed and the api's `cancelled` finish is awaited. */
  readonly stopping = signal(false);

  /** The subscription exists before the stream is subscribed, so one that ends at once finds it. */
  private readonly subscription = new Subscription();
  private readonly text = new DeltaBuffer((text) =>
    this.host.change(this.nodeId, (node) => ({ ...node, text: node.text + text })),
  );
  /** A reasoning model's thinking, before its text. */
  private readonly thinking = new DeltaBuffer((text) =>
    this.host.change(this.nodeId, (node) => ({
      ...node,
      reasoning: (node.reasoning ?? '') + text,
    })),
  );
  /** Followed from the api (an open, a reload), not started here: not a change to report. */
  private readonly resumed: boolean;
  private streamId: string | undefined;
  private readonly stopConfirmMs: number;
  private stopTimer: ReturnType<typeof setTimeout> | undefined;
  private done = false;

  /**
   * `nodeId`: the reply's message. `streamId`: the api's stream, for a reply followed from the api
   * rather than started here. `stopConfirmMs`: how long Stop waits for the api's `cancelled`.
   */
  constructor(
    private readonly host: ReplyHost,
    private nodeId: string,
    options: { streamId?: string; stopConfirmMs: number },
  ) {
    this.streamId = options.streamId;
    this.resumed = options.streamId !== undefined;
    this.stopConfirmMs = options.stopConfirmMs;
  }

  /** Fills the reply from `events` until they end, fail, or the reply is left. */
  follow(events: Observable<ChatStreamEvent>): void {
    this.subscription.add(
      events.subscribe({
        next: (event) => this.onEvent(event),
        error: (error: unknown) => this.onError(error),
        complete: () => this.end({ status: 'done' }),
      }),
    );
  }

  /**
   * Stops the reply, keeping the text so far. Once the api named the stream, it is asked to stop
   * generating and the reply ends with the `cancelled` finish that follows, so every token
   * generated before the stop is shown. If the api refuses, or the finish does not come in time,
   * the reply is ended here all the same: Stop never leaves a reply running.
   */
  stop(): void {
    if (this.stopping()) return;
    if (this.streamId === undefined) {
      this.end({ status: 'stopped' });
      return;
    }
    this.stopping.set(true);
    const stopHere = (): void => this.end({ status: 'stopped' });
    this.stopTimer = setTimeout(stopHere, this.stopConfirmMs);
    this.host.stopStream(this.streamId).catch((error: unknown) => {
      this.host.noticeExpiry(error);
      stopHere();
    });
  }

  /** Stops showing the reply, with all text received (the api goes on with it, and keeps it). */
  release(): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.stopTimer);
    this.reconnecting.set(false);
    this.stopping.set(false);
    for (const buffer of [this.thinking, this.text]) {
      buffer.flush();
      buffer.dispose();
    }
    this.subscription.unsubscribe();
    this.host.released(this);
  }

  private onEvent(event: ChatStreamEvent): void {
    switch (event.kind) {
      case 'connected':
        this.streamId ??= event.streamId;
        this.reconnecting.set(false);
        this.host.connected();
        break;
      case 'reconnecting':
        this.reconnecting.set(true);
        break;
      case 'frame':
        this.reconnecting.set(false);
        this.apply(event.frame);
        break;
    }
  }

  private apply(frame: StreamFrame): void {
    switch (frame.type) {
      case 'start':
        this.streamId ??= frame.streamId;
        this.host.change(this.nodeId, (node) => ({
          ...node,
          streamId: frame.streamId,
          model: frame.model,
        }));
        if (frame.conversation) {
          this.host.placed(this.nodeId, frame.conversation, this.resumed);
          this.nodeId = frame.conversation.messageId;
        }
        break;
      case 'reasoning-delta':
        this.thinking.push(frame.delta);
        break;
      case 'text-delta':
        // Thinking shows before the text that follows it.
        this.thinking.flush();
        this.text.push(frame.delta);
        break;
      case 'finish':
        this.end({
          status: frame.finishReason === 'cancelled' ? 'stopped' : 'done',
          finishReason: frame.finishReason,
        });
        break;
      case 'error':
        this.end({
          status: 'failed',
          error: {
            kind: 'stream',
            code: frame.code,
            message: frame.message,
            retryable: frame.retryable,
          },
        });
        break;
    }
  }

  private onError(error: unknown): void {
    if (this.done) return;
    const expired = this.host.noticeExpiry(error);
    // Once the api named the stream, it goes on writing (and keeping) the reply: it is paused.
    if (expired && this.streamId !== undefined && !this.stopping()) {
      this.end({ status: 'failed', error: PAUSED });
    } else {
      this.end({ status: 'failed', error: replyErrorOf(error) });
    }
  }

  /** Ends the reply once: shows all text received, releases the stream, then how it ended. */
  private end(outcome: Pick<ChatNode, 'status'> & Partial<ChatNode>): void {
    if (this.done) return;
    this.release();
    this.host.change(this.nodeId, (node) => ({ ...node, ...outcome }));
  }
}

function replyErrorOf(error: unknown): ReplyError {
  if (error instanceof ChatClientError) {
    return {
      kind: error.kind,
      message: error.message,
      retryable: error.retryable,
      code: error.code,
      problems: error.problems,
      requestId: error.requestId,
    };
  }
  // Not expected from ReplyStreams; whatever it is, its text is not known to be safe to show.
  return { kind: 'interrupted', message: 'Something went wrong with this reply.', retryable: true };
}
