import {
  ChatMessage,
  ChatRequest,
  FinishReason,
  RequestProblem,
} from '@tokenstream/stream-contracts';
import { ChatClientErrorKind } from '@tokenstream/stream-client';

/** Where an assistant reply is in its life. */
export type ReplyStatus = 'streaming' | 'done' | 'stopped' | 'failed';

/** Why a reply failed, as shown under it. */
export interface ReplyError {
  /** A {@link ChatClientErrorKind}, or `stream` for an `error` frame sent by the api. */
  kind: ChatClientErrorKind | 'stream';
  message: string;
  retryable: boolean;
  code?: string;
  problems?: readonly RequestProblem[];
  requestId?: string;
}

/** A message the user sent. */
export interface UserTurn {
  id: number;
  role: 'user';
  content: string;
}

/** A reply of the assistant, with the request it answers (so Retry can send it again). */
export interface AssistantTurn {
  id: number;
  role: 'assistant';
  request: ChatRequest;
  text: string;
  status: ReplyStatus;
  finishReason?: FinishReason;
  error?: ReplyError;
}

/** One turn of the conversation, in order. */
export type Turn = UserTurn | AssistantTurn;

/**
 * The messages to send as history with the next request: every exchange whose reply completed.
 * An exchange whose reply was stopped or failed is left out whole, so the model never sees a
 * question without its answer or half an answer presented as whole.
 */
export function historyOf(turns: readonly Turn[]): ChatMessage[] {
  const history: ChatMessage[] = [];
  turns.forEach((turn, index) => {
    const reply = turns[index + 1];
    if (turn.role !== 'user' || reply?.role !== 'assistant' || reply.status !== 'done') return;
    history.push(
      { role: 'user', content: turn.content },
      { role: 'assistant', content: reply.text },
    );
  });
  return history;
}
