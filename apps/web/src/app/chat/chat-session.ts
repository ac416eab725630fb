import { computed, DestroyRef, inject, Injectable, signal } from '@angular/core';
import type { ReplyPlace } from '@tokenstream/stream-contracts';
import { ChatClientError, ChatStreamEvent } from '@tokenstream/stream-client';
import { Observable, Subject } from 'rxjs';
import { CHAT_STREAM_POLICY } from '../api/chat-stream-policy';
import { ConversationsApi, ConversationsApiError } from '../api/conversations-api';
import { ReplyStreams } from '../api/reply-streams';
import {
  ChatNode,
  ConversationTree,
  EMPTY_TREE,
  newestLeafUnder,
  pathTo,
  siblingsOf,
  treeOf,
  withChange,
  withNode,
  without,
  withoutUnkeptEnd,
  withPlace,
} from './conversation-tree';
import { replyRequest } from './reply-request';
import { ReplyHost, StreamingReply } from './streaming-reply';

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
  /** The reply streaming into the conversation shown, if one is. */
  private readonly active = signal<StreamingReply | undefined>(undefined);
  /** Whether the streaming reply's connection broke and is being resumed. */
  readonly reconnecting = computed(() => this.active()?.reconnecting() ?? false);
  /** Whether Stop was pressed and the api's confirmation is awaited. */
  readonly stopping = computed(() => this.active()?.stopping() ?? false);
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

  private readonly branchPositions = new Map<string, { index: number; count: number }>();
  private nextLocalId = 1;
  private opening: AbortController | undefined;

  constructor() {
    inject(DestroyRef).onDestroy(() => {
      this.opening?.abort();
      this.active()?.release();
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
    this.showEmpty(undefined, temporary);
    this.title.set(undefined);
  }

  /**
   * Shows the kept conversation `id`, every branch, on the branch shown last; a reply still
   * generating on it is followed live from its first frame, whoever started it, wherever.
   */
  async open(id: string): Promise<void> {
    this.showEmpty(id, false);
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
    this.startReply(pathTo(this.tree(), question.id), false);
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

  /** Stops the streaming reply, keeping the text so far (see {@link StreamingReply.stop}). */
  stop(): void {
    this.active()?.stop();
  }

  /** Shows the session-expired notice if `error` says the session is gone; whether it did. */
  noticeExpiry(error: unknown): boolean {
    const expired = error instanceof ChatClientError && error.kind === 'unauthenticated';
    if (expired) this.sessionExpired.set(true);
    return expired;
  }

  /** In a kept conversation, drops the end of the branch shown that the api never kept. */
  private forgetUnkept(): void {
    if (!this.temporary()) this.tree.update(withoutUnkeptEnd);
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
    this.tree.update((tree) => withNode(tree, question));
    if (!this.conversationId() && !this.temporary() && this.title() === undefined) {
      this.title.set(content);
    }
    this.startReply(path, true);
  }

  /** Adds a reply after `path` (its question last) and streams it from the api. */
  private startReply(path: readonly ChatNode[], newQuestion: boolean): void {
    const request = replyRequest({
      path,
      newQuestion,
      temporary: this.temporary(),
      conversationId: this.conversationId(),
      model: this.model(),
    });
    const reply: ChatNode = {
      id: this.localId(),
      parentId: path.at(-1)?.id ?? null,
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
    if (this.active() || last?.role !== 'assistant' || last.status !== 'streaming') return;
    if (!last.streamId) return;
    // From its first frame: the api keeps a reply's text only once it ended.
    this.tree.update((tree) =>
      withChange(tree, last.id, (node) => ({ ...node, text: '', reasoning: undefined })),
    );
    this.follow(last.id, this.streams.resume(last.streamId), last.streamId);
  }

  /** Makes `nodeId` the active reply, filled from `events`. */
  private follow(nodeId: string, events: Observable<ChatStreamEvent>, streamId?: string): void {
    const reply = new StreamingReply(this.replyHost, nodeId, {
      streamId,
      stopConfirmMs: this.policy.stopConfirmMs,
    });
    this.active.set(reply);
    reply.follow(events);
  }

  /** What the active reply changes here. */
  private readonly replyHost: ReplyHost = {
    change: (nodeId, change) => this.tree.update((tree) => withChange(tree, nodeId, change)),
    placed: (nodeId, place, resumed) => this.place(nodeId, place, resumed),
    // The api accepted this browser again (signed in elsewhere, e.g. in another tab).
    connected: () => this.sessionExpired.set(false),
    noticeExpiry: (error) => this.noticeExpiry(error),
    stopStream: (streamId) => this.streams.stop(streamId),
    released: (reply) => {
      if (this.active() === reply) this.active.set(undefined);
    },
  };

  /** The api kept the turn: its messages take the api's ids, a new conversation its id. */
  private place(nodeId: string, place: ReplyPlace, resumed: boolean): void {
    if (!this.tree().nodes.some((node) => node.id === nodeId)) return;
    const tree = withPlace(this.tree(), nodeId, place);
    this.tree.set(tree);
    if (resumed) return;
    const isNew = this.conversationId() === undefined;
    if (isNew) this.conversationId.set(place.id);
    const question = tree.nodes.find((node) => node.id === place.parentId);
    this.touched.next({
      id: place.id,
      ...(isNew && question ? { firstMessage: question.text } : {}),
    });
  }

  /** Leaves what was shown (a reply streaming goes on on the api) for an empty conversation. */
  private showEmpty(conversationId: string | undefined, temporary: boolean): void {
    this.opening?.abort();
    this.opening = undefined;
    this.loading.set(false);
    this.active()?.release();
    this.conversationId.set(conversationId);
    this.temporary.set(temporary);
    this.tree.set(EMPTY_TREE);
    this.openError.set(undefined);
  }

  private localId(): string {
    return `local-${this.nextLocalId++}`;
  }
}
