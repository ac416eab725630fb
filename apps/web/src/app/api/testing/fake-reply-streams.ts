import type {
  ChatRequest,
  ConversationMessage,
  FinishReason,
  StreamFrame,
} from '@tokenstream/stream-contracts';
import { ChatClientError, ChatStreamEvent } from '@tokenstream/stream-client';
import { Observable, Subject, throwError } from 'rxjs';
import { ReplyStreams } from '../reply-streams';
import { FakeConversationsApi, Turn } from './fake-conversations-api';
import { jsonCopy } from './json-copy';

/** One reply stream of the fake api; the test writes its frames. */
export class FakeReply {
  readonly events = new Subject<ChatStreamEvent>();
  private lastFrameId = 0;
  private text = '';
  private reasoning = '';

  constructor(
    private readonly api: FakeConversationsApi,
    readonly streamId: string,
    private readonly turn: Turn | undefined,
  ) {}

  /** Whether the code under test still reads this stream. */
  get followed(): boolean {
    return this.events.observed;
  }

  /** The `start` frame: the api keeps the turn now, and says where. */
  start(model = 'demo'): void {
    if (this.turn && !this.turn.kept) this.api.keep(this.turn, this.streamId, model);
    this.frame({
      type: 'start',
      streamId: this.streamId,
      model,
      ...(this.turn ? { conversation: this.turn.place } : {}),
    });
  }

  /** A piece of a reasoning model's thinking. */
  think(delta: string): void {
    this.reasoning += delta;
    this.frame({ type: 'reasoning-delta', delta });
  }

  write(delta: string): void {
    this.text += delta;
    this.frame({ type: 'text-delta', delta });
  }

  finish(finishReason: FinishReason = 'stop'): void {
    this.api.end(this.turn, {
      content: this.text,
      reasoning: this.reasoning,
      status: finishReason === 'cancelled' ? 'cancelled' : 'complete',
      finishReason,
    });
    this.frame({ type: 'finish', finishReason });
    this.events.complete();
  }

  fail(message: string, code: 'upstream_unavailable' | 'upstream_timeout'): void {
    this.api.end(this.turn, { content: this.text, status: 'failed', errorCode: code });
    this.frame({ type: 'error', code, message, retryable: true });
    this.events.complete();
  }

  /** The stream fails outside the protocol (refused, network, session gone). */
  break(error: ChatClientError): void {
    this.events.error(error);
  }

  reconnecting(): void {
    this.events.next({
      kind: 'reconnecting',
      attempt: 1,
      delayMs: 100,
      lastEventId: String(this.lastFrameId),
      error: new ChatClientError({ kind: 'network', retryable: true, message: 'offline' }),
    });
  }

  connected(): void {
    this.events.next({ kind: 'connected', streamId: this.streamId });
  }

  private frame(frame: StreamFrame): void {
    this.events.next({ kind: 'frame', id: String(++this.lastFrameId), frame });
  }
}

/** {@link ReplyStreams} over the fake api: records every request, resume and stop. */
export class FakeReplyStreams implements Pick<ReplyStreams, 'stream' | 'resume' | 'stop'> {
  readonly requests: ChatRequest[] = [];
  readonly resumes: { streamId: string; lastEventId: string | undefined }[] = [];
  readonly stops: string[] = [];
  /** What `stop` answers: accepted by default. */
  stopAnswer: () => Promise<void> = () => Promise.resolve();
  private readonly replies: FakeReply[] = [];
  private readonly live = new Map<string, FakeReply>();

  constructor(private readonly api: FakeConversationsApi) {}

  /** The reply of the last request. */
  get reply(): FakeReply {
    const reply = this.replies.at(-1);
    if (!reply) throw new Error('no request was sent');
    return reply;
  }

  /** The stream of a reply the api is writing already (kept `generating` in `conversationId`). */
  writing(conversationId: string, messageId: string): FakeReply {
    const message = this.api.conversations
      .get(conversationId)
      ?.messages.find((m) => m.id === messageId) as ConversationMessage;
    const turn: Turn = {
      place: { id: conversationId, messageId, parentId: message.parentId as string },
      isNew: false,
      title: '',
      parentId: message.parentId,
      userText: undefined,
      kept: true,
    };
    const reply = new FakeReply(this.api, message.streamId as string, turn);
    this.live.set(reply.streamId, reply);
    return reply;
  }

  stream(request: ChatRequest): Observable<ChatStreamEvent> {
    this.requests.push(jsonCopy(request));
    const turn = this.api.prepare(request);
    if (turn instanceof ChatClientError) return throwError(() => turn);
    const reply = new FakeReply(this.api, this.api.newId('stream'), turn);
    this.replies.push(reply);
    this.live.set(reply.streamId, reply);
    return reply.events;
  }

  resume(streamId: string, lastEventId?: string): Observable<ChatStreamEvent> {
    this.resumes.push({ streamId, lastEventId });
    const reply = this.live.get(streamId);
    if (!reply) {
      return throwError(
        () => new ChatClientError({ kind: 'gone', retryable: false, message: 'Gone.' }),
      );
    }
    this.replies.push(reply);
    return reply.events;
  }

  stop(streamId: string): Promise<void> {
    this.stops.push(streamId);
    return this.stopAnswer();
  }
}
