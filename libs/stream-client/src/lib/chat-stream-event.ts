import type { ReceivedFrame } from '@tokenstream/stream-contracts';
import type { ChatClientError } from './chat-client-error';

/** A frame of the reply, with its SSE id (its position: pass it back to resume after it). */
export interface FrameEvent extends ReceivedFrame {
  kind: 'frame';
}

/** A connection is open and the stream is flowing (again). */
export interface ConnectedEvent {
  kind: 'connected';
  /** The stream being read, once known (the `X-Stream-Id` header, or an earlier `start` frame). */
  streamId: string | undefined;
}

/** The connection broke; the reply will be resumed after `delayMs` (sooner when back online). */
export interface ReconnectingEvent {
  kind: 'reconnecting';
  /** 1 for the first reconnect after the last frame that arrived, then 2, 3 … */
  attempt: number;
  delayMs: number;
  /** The last frame received, which the resume continues after. */
  lastEventId: string | undefined;
  /** Why the connection was given up (network, interrupted, silence, a retryable HTTP error). */
  error: ChatClientError;
}

/**
 * Everything that happens to one reply: its frames, in order and each once, and the changes of the
 * connection beneath them, so a UI can say "Reconnecting…".
 */
export type ChatStreamEvent = FrameEvent | ConnectedEvent | ReconnectingEvent;
