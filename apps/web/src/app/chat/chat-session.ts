import { computed, DestroyRef, inject, Injectable, signal } from '@angular/core';
import {
  ChatRequest,
  modelHistory,
  type ReplyPlace,
  type StreamFrame,
} from '@tokenstream/stream-contracts';
import { ChatClientError, ChatStreamEvent } from '@tokenstream/stream-client';
import { Observable, Subject, Subscription } from 'rxjs';
import { ReplyStreams } from '../api/reply-streams';
import { CHAT_STREAM_POLICY } from '../api/chat-stream-policy';
import {
  ChatNode,
  ConversationTree,
  EMPTY_TREE,
  newestLeafUnder,
  pathTo,
  ReplyError,
  siblingsOf,
  treeOf,
  withChange,
  withId,
  withNode,
  without,
} from './conversation';
import { ConversationsApi, ConversationsApiError } from '../api/conversations-api';
import { DeltaBuffer } from './delta-buffer';

/** The reply being streamed, with what stopping it needs. */
interface ActiveReply {
  nodeId: string;
  /** Followed from the api (an open, a reload), not started here: not a change to report. */
  resumed: boolean;
  subscription: Subscription;
  deltas: DeltaBuffer;
  /** A reasoning model's thinking, before its text. */
  thinking: DeltaBuffer;
  streamId?: string;
  /** Stop was asked for and the api's `cancelled` finish is awaited. */
  stopping: boolean;
  stopTimer?: ReturnType<typeof setTimeout>;
}

/** What a reply cut off by an expired session says under it: the api goes on writing it. */
const PAUSED: ReplyError = {
  kind: 'unauthenticated',
  message: 'Paused: sign in to see the rest of this reply; it is kept meanwhile.',
  retryable: false,
};

/** A kept conversation that changed: the sidebar moves it to the top (or adds it). */
export interface ConversationTouched {
  id: string;
  /** The first message, for a conversation just made (the api titles it after it). */
  firstMessage?: string;
}

/**
 * The conversation on screen, and the one copy of its state: every branch's messages, the branch
 * shown, the reply streaming into it. Sending, regenerating, editing and moving between branches
 * go through here; a kept conversation is the api's (it keeps each turn and reply), a temporary
 * one lives only here.
 */
@Injectable()
export class ChatSession {
  private readonly streams = inject(ReplyStreams);
  private readonly api = inject(ConversationsApi);
  private readonly policy = inject(CHAT_STREAM_POLICY);

  /** The kept conversation shown; undefined for a new or temporary one. */
  readonly conversationId = signal<string | undefined>(undefined);
  readonly title = signal<string | undefined>(undefined);
  /** A temporary chat: nothing of it is kept on the api. */
  readonly temporary = signal(false);
  readonly tree = signal<ConversationTree>(EMPTY_TREE);
  /** The messages of the branch shown, in order. */
  readonly path = computed(() => pathTo(this.tree(), this.tree().leafId));
  /** Whether the streaming reply's connection broke and is being resumed. */
  readonly reconnecting = signal(false);
  /** Whether Stop was pressed and the api's confirmation is awaited. */
  readonly stopping = signal(false);
  /** Whether the api said the session is gone (a `401`, a login page): the user must sign in. */
  readonly sessionExpired = signal(false);
  /** Why the conversation asked for could not be shown (gone, not yours, api down). */
  readonly openError = signal<string | undefined>(undefined);
  readonly loading = signal(false);
  /** The model new replies are asked of; undefined lets the api choose. */
  readonly model = signal<string | undefined>(undefined);
  readonly streaming = computed(() => this.path().some((node) => node.status === 'streaming'));
  /** Kept conversations this session added to or made, for the sidebar. */
  readonly touched = new Subject<ConversationTouched>();

  private active: ActiveReply | undefined;
  private readonly branchPositions = new Map<string, { index: number; count: number }>();
  private nextLocalId = 1;
  private opening: AbortController | undefined;

  constructor() {
    inject(DestroyRef).onDestroy(() => {
      this.opening?.abort();
      this.release();
    });
  }

  /**
   * The branches beside `node` and where it stands among them. The same object while they do not
   * change, so a message's view is not checked again on every delta of a reply below it.
   */
  branchesOf(node: ChatNode): { index: number; count: number } {
    const siblings = siblingsOf(this.tree(), node);
    const index = siblings.findIndex((s) => s.id === node.id);
    const known = this.branchPositions.get(node.id);
    if (known?.index === index && known.count === siblings.length) return known;
    const position = { index, count: siblings.length };
    this.branchPositions.set(node.id, position);
    return position;
  }

  /** Starts a new conversation (kept, unless `temporary`); a reply streaming goes on on the api. */
  startNew(temporary = false): void {
    this.leave();
    this.conversationId.set(undefined);
    this.title.set(undefined);
    this.temporary.set(temporary);
    this.tree.set(EMPTY_TREE);
    this.openError.set(undefined);
  }

  /**
   * Shows the kept conversation `id`, every branch, on the branch shown last; a reply still
   * generating on it is followed live from its first frame, whoever started it, wherever.
   */
  async open(id: string): Promise<void> {
    this.leave();
    this.temporary.set(false);
    this.conversationId.set(id);
    this.tree.set(EMPTY_TREE);
    this.openError.set(undefined);
    this.loading.set(true);
    const opening = new AbortController();
    this.opening = opening;
    try {
      const conversation = await this.api.get(id, opening.signal);
      if (this.opening !== opening) return;
      this.title.set(conversation.title);
      this.tree.set(treeOf(conversation.messages, conversation.activeLeafId));
      this.followGenerating();
    } catch (error) {
      if (this.opening !== opening) return;
      if (this.noticeExpiry(error)) return;
      this.openError.set(
        error instanceof ConversationsApiError && error.status === 404
          ? 'This conversation does not exist, or it was deleted.'
          : 'This conversation could not be loaded. Please try again.',
      );
    } finally {
      if (this.opening === opening) this.loading.set(false);
    }
  }

  /** Sends a new message after the branch shown. */
  send(content: string): void {
    if (this.streaming() || this.loading()) return;
    this.forgetUnkept();
    const leaf = this.path().at(-1);
    this.ask(content, leaf?.id ?? null);
  }

  /** Sends `content` in place of the user message `node`: a new branch beside it. */
  edit(node: ChatNode, content: string): void {
    if (this.streaming() || node.role !== 'user') return;
    // A question the api never kept (refused before its stream opened) is replaced, not branched.
    if (!node.kept && !this.temporary()) this.forgetUnkept();
    this.ask(content, node.parentId);
  }

  /** Asks for another reply to the user message `reply` answers: a new branch beside it. */
  regenerate(reply: ChatNode): void {
    if (this.streaming() || reply.role !== 'assistant' || reply.parentId === null) return;
    const question = this.tree().nodes.find((node) => node.id === reply.parentId);
    if (!question) return;
    // The question never reached the api (refused before its stream opened): send it again.
    if (!question.kept && !this.temporary()) {
      this.tree.update((tree) => without(tree, [question.id, reply.id], question.parentId));
      this.ask(question.text, question.parentId);
      return;
    }
    const path = pathTo(this.tree(), question.id);
    const request: ChatRequest = this.temporary()
      ? { messages: modelHistory(path.map(historyOf)), ...this.modelChoice() }
      : {
          messages: [],
          ...this.modelChoice(),
          conversation: { id: this.conversationId(), parentId: question.id },
        };
    this.startReply(question.id, request);
  }

  /** Shows the branch `step` places from `node`'s (the newest reply down it). */
  showBranch(node: ChatNode, step: -1 | 1): void {
    if (this.streaming()) return;
    const siblings = siblingsOf(this.tree(), node);
    const target = siblings[siblings.findIndex((s) => s.id === node.id) + step];
    if (!target) return;
    const leafId = newestLeafUnder(this.tree(), target.id);
    this.tree.update((tree) => ({ ...tree, leafId }));
    const id = this.conversationId();
    const leaf = this.tree().nodes.find((n) => n.id === leafId);
    // Remembered on the api, so a reload or another device shows the same branch.
    if (id && leaf?.kept) {
      this.api.showBranch(id, leafId).catch((error: unknown) => this.noticeExpiry(error));
    }
    this.followGenerating();
  }

  /**
   * Stops the streaming reply, keeping the text so far. Once the api named the stream, it is asked
   * to stop generating (`DELETE`) and the reply ends with the `cancelled` finish that follows, so
   * every token generated before the stop is shown. If the api refuses, or the finish does not come
   * in time, the reply is ended here all the same: Stop never leaves a reply running.
   */
  stop(): void {
    const active = this.active;
    if (!active || active.stopping) return;
    if (active.streamId === undefined) {
      this.end(active, { status: 'stopped' });
      return;
    }
    active.stopping = true;
    this.stopping.set(true);
    const stopHere = (): void => {
      if (this.active === active) this.end(active, { status: 'stopped' });
    };
    active.stopTimer = setTimeout(stopHere, this.policy.stopConfirmMs);
    this.streams.stop(active.streamId).catch((error: unknown) => {
      this.noticeExpiry(error);
      stopHere();
    });
  }

  /** Shows the session-expired notice if `error` says the session is gone; whether it did. */
  noticeExpiry(error: unknown): boolean {
    const expired = error instanceof ChatClientError && error.kind === 'unauthenticated';
    if (expired) this.sessionExpired.set(true);
    return expired;
  }

  /**
   * In a kept conversation, drops the end of the branch shown that the api never kept (a turn
   * refused before its stream opened, or stopped before the api named it): the next message
   * follows the last message the api has, and the refused one is not left as a branch.
   */
  private forgetUnkept(): void {
    if (this.temporary()) return;
    const path = this.path();
    let kept = path.length;
    while (kept > 0 && !path[kept - 1].kept) kept -= 1;
    if (kept === path.length) return;
    const dropped = path.slice(kept).map((node) => node.id);
    this.tree.update((tree) => without(tree, dropped, path[kept - 1]?.id ?? null));
  }

  private modelChoice(): Pick<ChatRequest, 'model'> {
    const model = this.model();
    return model ? { model } : {};
  }

  /** Adds the user message `content` after `parentId` and asks for its reply. */
  private ask(content: string, parentId: string | null): void {
    const question: ChatNode = {
      id: this.localId(),
      parentId,
      role: 'user',
      text: content,
      status: 'done',
      kept: false,
    };
    const path = [...pathTo(this.tree(), parentId), question];
    const id = this.conversationId();
    const request: ChatRequest = this.temporary()
      ? { messages: modelHistory(path.map(historyOf)), ...this.modelChoice() }
      : {
          messages: [{ role: 'user', content }],
          ...this.modelChoice(),
          conversation: {
            ...(id ? { id } : {}),
            ...(parentId ? { parentId } : {}),
          },
        };
    this.tree.update((tree) => withNode(tree, question));
    if (!id && !this.temporary() && this.title() === undefined) this.title.set(content);
    this.startReply(question.id, request);
  }

  /** Adds a reply under `parentId` and streams it from `request`. */
  private startReply(parentId: string, request: ChatRequest): void {
    const reply: ChatNode = {
      id: this.localId(),
      parentId,
      role: 'assistant',
      text: '',
      status: 'streaming',
      kept: false,
      request,
    };
    this.tree.update((tree) => withNode(tree, reply));
    this.follow(reply.id, this.streams.stream(request));
  }

  /** Follows the reply at the end of the branch shown when it is still generating on the api. */
  private followGenerating(): void {
    const last = this.path().at(-1);
    if (this.active || last?.role !== 'assistant' || last.status !== 'streaming') return;
    if (!last.streamId) return;
    // From its first frame: the api keeps a reply's text only once it ended.
    this.tree.update((tree) =>
      withChange(tree, last.id, (node) => ({ ...node, text: '', reasoning: undefined })),
    );
    this.follow(last.id, this.streams.resume(last.streamId), last.streamId);
  }

  /** Makes `nodeId` the active reply, filled from `events`. */
  private follow(nodeId: string, events: Observable<ChatStreamEvent>, streamId?: string): void {
    const active: ActiveReply = {
      nodeId,
      // The subscription exists before the stream is subscribed, so a stream that ends at once
      // (synchronously) still finds its reply active.
      subscription: new Subscription(),
      deltas: new DeltaBuffer((text) =>
        this.patch(active.nodeId, (node) => ({ ...node, text: node.text + text })),
      ),
      thinking: new DeltaBuffer((text) =>
        this.patch(active.nodeId, (node) => ({
          ...node,
          reasoning: (node.reasoning ?? '') + text,
        })),
      ),
      stopping: false,
      streamId,
      resumed: streamId !== undefined,
    };
    this.active = active;
    this.reconnecting.set(false);
    this.stopping.set(false);
    active.subscription.add(
      events.subscribe({
        next: (event) => this.onEvent(active, event),
        error: (error: unknown) => this.onError(active, error),
        complete: () => this.end(active, { status: 'done' }),
      }),
    );
  }

  private onEvent(active: ActiveReply, event: ChatStreamEvent): void {
    switch (event.kind) {
      case 'connected':
        active.streamId ??= event.streamId;
        this.reconnecting.set(false);
        // The api accepted this browser again (signed in elsewhere, e.g. in another tab).
        this.sessionExpired.set(false);
        break;
      case 'reconnecting':
        this.reconnecting.set(true);
        break;
      case 'frame':
        this.reconnecting.set(false);
        this.apply(active, event.frame);
        break;
    }
  }

  private apply(active: ActiveReply, frame: StreamFrame): void {
    switch (frame.type) {
      case 'start':
        active.streamId ??= frame.streamId;
        this.patch(active.nodeId, (node) => ({
          ...node,
          streamId: frame.streamId,
          model: frame.model,
        }));
        if (frame.conversation) this.place(active, frame.conversation);
        break;
      case 'reasoning-delta':
        active.thinking.push(frame.delta);
        break;
      case 'text-delta':
        // Thinking shows before the text that follows it.
        active.thinking.flush();
        active.deltas.push(frame.delta);
        break;
      case 'finish':
        this.end(active, {
          status: frame.finishReason === 'cancelled' ? 'stopped' : 'done',
          finishReason: frame.finishReason,
        });
        break;
      case 'error':
        this.end(active, {
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

  /** The api kept the turn: its messages take the api's ids, a new conversation its id. */
  private place(active: ActiveReply, place: ReplyPlace): void {
    const reply = this.tree().nodes.find((node) => node.id === active.nodeId);
    if (!reply) return;
    let tree = this.tree();
    if (reply.parentId && reply.parentId !== place.parentId) {
      tree = withId(tree, reply.parentId, place.parentId);
    }
    tree = withId(tree, reply.id, place.messageId);
    tree = withChange(tree, place.parentId, (node) => ({ ...node, kept: true }));
    tree = withChange(tree, place.messageId, (node) => ({ ...node, kept: true }));
    active.nodeId = place.messageId;
    this.tree.set(tree);
    if (active.resumed) return;
    const isNew = this.conversationId() === undefined;
    if (isNew) this.conversationId.set(place.id);
    const question = tree.nodes.find((node) => node.id === place.parentId);
    this.touched.next({
      id: place.id,
      ...(isNew && question ? { firstMessage: question.text } : {}),
    });
  }

  private onError(active: ActiveReply, error: unknown): void {
    if (this.active !== active) return;
    const expired = this.noticeExpiry(error);
    // Once the api named the stream, it goes on writing (and keeping) the reply: it is paused.
    if (expired && active.streamId !== undefined && !active.stopping) {
      this.end(active, { status: 'failed', error: PAUSED });
    } else {
      this.end(active, { status: 'failed', error: replyErrorOf(error) });
    }
  }

  /** Ends the active reply once: shows all text received, releases the stream. */
  private end(active: ActiveReply, outcome: Pick<ChatNode, 'status'> & Partial<ChatNode>): void {
    if (this.active !== active) return;
    this.release();
    this.patch(active.nodeId, (node) => ({ ...node, ...outcome }));
  }

  /** Stops showing the active reply (the api goes on with it, and keeps it). */
  private leave(): void {
    this.opening?.abort();
    this.opening = undefined;
    this.loading.set(false);
    this.release();
  }

  private release(): void {
    const active = this.active;
    if (!active) return;
    this.active = undefined;
    clearTimeout(active.stopTimer);
    this.reconnecting.set(false);
    this.stopping.set(false);
    for (const buffer of [active.thinking, active.deltas]) {
      buffer.flush();
      buffer.dispose();
    }
    active.subscription.unsubscribe();
  }

  private patch(id: string, change: (node: ChatNode) => ChatNode): void {
    this.tree.update((tree) => withChange(tree, id, change));
  }

  private localId(): string {
    return `local-${this.nextLocalId++}`;
  }
}

function historyOf(node: ChatNode) {
  return { role: node.role, content: node.text, complete: node.status === 'done' };
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
