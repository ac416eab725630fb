import type { RequestProblem } from '@tokenstream/stream-contracts';

/** Why a chat stream could not be had: the kinds a caller branches on. */
export type ChatClientErrorKind =
  /** The api refused the request before the stream opened (4xx): fix the request or the credentials. */
  | 'rejected'
  /** The api or the network failed, and resuming gave up (or could not start: no stream id yet). */
  | 'unavailable'
  /** The stream is no longer on the api (expired, or never this caller's): it cannot be resumed. */
  | 'gone'
  /** The api sent something that is not the protocol. */
  | 'protocol';

/** A failure to get a chat stream, with what the api said when it said something. */
export class ChatClientError extends Error {
  constructor(
    readonly kind: ChatClientErrorKind,
    message: string,
    readonly details: {
      status?: number;
      code?: string;
      problems?: RequestProblem[];
      retryAfterSeconds?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message);
    this.name = 'ChatClientError';
  }
}
