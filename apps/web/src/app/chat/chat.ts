import {
  afterNextRender,
  afterRenderEffect,
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  ElementRef,
  inject,
  Injector,
  signal,
  viewChild,
} from '@angular/core';
import { ChatRequest, ModelsResponse, StreamFrame } from '@tokenstream/stream-contracts';
import { ChatClientError, ChatStreamEvent } from '@tokenstream/stream-client';
import { Observable, Subscription } from 'rxjs';
import { ChatStream } from './chat-stream';
import { CHAT_STREAM_POLICY } from './chat-stream-policy';
import { AssistantTurn, historyOf, ReplyError, Turn, UserTurn } from './conversation';
import { ClientConfig } from './client-config';
import { ConversationStore, SavedConversation, SavedReply } from './conversation-store';
import { DeltaBuffer } from './delta-buffer';
import { MarkdownView } from './markdown-view';
import { CurrentUser, displayNameOf } from './current-user';
import { ModelCatalog } from './model-catalog';

/** How close to the bottom (px) still counts as "at the bottom" for auto-scroll. */
const BOTTOM_SLACK_PX = 48;
/** How long "Copied" shows after a reply was copied. */
const COPIED_FEEDBACK_MS = 2_000;

/** The reply being streamed, with what resuming it after a cut or a reload needs. */
interface ActiveReply {
  turnId: number;
  subscription: Subscription;
  deltas: DeltaBuffer;
  /** Every text received, including what `deltas` has not shown yet: what is saved. */
  text: string;
  /** The stream to resume or stop; unknown until the api answered. */
  streamId?: string;
  /** The id of the last frame received, whose text `text` ends with. */
  lastEventId?: string;
  /** Stop was asked for and the api's `cancelled` finish is awaited. */
  stopping: boolean;
  stopTimer?: ReturnType<typeof setTimeout>;
}

/**
 * A reply cut off because the session expired: shown as failed, but saved as still streaming from
 * its position, so the reload that follows signing in picks it up where it was.
 */
interface SuspendedReply extends SavedReply {
  /** Every text received up to `lastEventId`. */
  text: string;
}

/** What a reply cut off by an expired session says under it. */
const SUSPENDED: ReplyError = {
  kind: 'unauthenticated',
  message: 'Paused: sign in to continue this reply from where it stopped.',
  retryable: false,
};

/** The text of an error for a reply that was streaming when the page went, and cannot be resumed. */
const LOST_ON_RELOAD: ReplyError = {
  kind: 'interrupted',
  message: 'The page was reloaded before this reply could be picked up again.',
  retryable: true,
};

/** The chat: a conversation whose replies stream in, a composer, Stop and Retry. */
@Component({
  selector: 'app-chat',
  imports: [MarkdownView],
  templateUrl: './chat.html',
  styleUrl: './chat.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: {
    '(document:keydown.escape)': 'stop()',
    '(window:pagehide)': 'saveNow()',
    '(document:visibilitychange)': 'onVisibilityChange()',
  },
})
export class Chat {
  private readonly chatStream = inject(ChatStream);
  private readonly store = inject(ConversationStore);
  private readonly policy = inject(CHAT_STREAM_POLICY);
  private readonly injector = inject(Injector);
  private readonly clientConfig = inject(ClientConfig);
  private readonly log = viewChild.required<ElementRef<HTMLElement>>('log');
  private readonly composer = viewChild.required<ElementRef<HTMLTextAreaElement>>('composer');

  protected readonly turns = signal<readonly Turn[]>([]);
  protected readonly draft = signal('');
  protected readonly catalog = signal<ModelsResponse | undefined>(undefined);
  /** The signed-in user's name, when the api knows one (behind SSO). */
  protected readonly userName = signal<string | undefined>(undefined);
  protected readonly model = signal<string | undefined>(undefined);
  /** Whether the view follows the reply down as it grows (false once the user scrolls up). */
  protected readonly following = signal(true);
  /** Whether the streaming reply's connection broke and is being resumed. */
  protected readonly reconnecting = signal(false);
  /** Whether Stop was pressed and the api's confirmation is awaited. */
  protected readonly stopping = signal(false);
  /** Whether the api said the session is gone (a `401`, a login page): the user must sign in. */
  protected readonly sessionExpired = signal(false);
  /** The reply paused by an expired session, picked up again after signing in (a reload). */
  protected readonly suspendedTurnId = signal<number | undefined>(undefined);
  /** Whether the page may write to the clipboard (it may not outside a secure context). */
  protected readonly canCopy = typeof navigator.clipboard?.writeText === 'function';
  /** The reply whose text was just copied, for a moment of feedback. */
  protected readonly copiedTurnId = signal<number | undefined>(undefined);
  /** The "Sign in" link: the configured sign-in page coming back here, or this page (a reload). */
  protected readonly signInHref = this.clientConfig.signInHref;

  protected readonly streaming = computed(() => {
    const last = this.turns().at(-1);
    return last?.role === 'assistant' && last.status === 'streaming';
  });
  /** While a reply waits for the user to sign in, a new question would take its place: none. */
  protected readonly composerLocked = computed(
    () => this.streaming() || this.suspendedTurnId() !== undefined,
  );
  protected readonly canSend = computed(() => !this.composerLocked() && this.draft().trim() !== '');
  protected readonly isDemo = computed(() => this.catalog()?.provider === 'demo');
  protected readonly models = computed(() => this.catalog()?.models ?? []);

  private copiedTimer: ReturnType<typeof setTimeout> | undefined;
  private active: ActiveReply | undefined;
  private suspended: SuspendedReply | undefined;
  private nextTurnId = 1;
  private lastScrollTop = 0;

  constructor() {
    void this.clientConfig.load();
    const catalogLoad = new AbortController();
    inject(CurrentUser)
      .load(catalogLoad.signal)
      .then(
        (me) => this.userName.set(displayNameOf(me)),
        // Not signed in, or no /api/me: the header just shows no user.
        (error: unknown) => this.noticeExpiry(error),
      );
    inject(ModelCatalog)
      .load(catalogLoad.signal)
      .then(
        (catalog) => {
          this.catalog.set(catalog);
          this.model.set(catalog.defaultModel);
        },
        // Without the list the chat still works: requests name no model and the api picks its own.
        (error: unknown) => this.noticeExpiry(error),
      );

    afterRenderEffect({
      write: () => {
        this.turns();
        if (!this.following()) return;
        const log = this.log().nativeElement;
        log.scrollTop = log.scrollHeight;
        this.lastScrollTop = log.scrollTop;
      },
    });

    this.restore();
    this.refocusComposer(); // ready to type on arrival

    inject(DestroyRef).onDestroy(() => {
      catalogLoad.abort();
      clearTimeout(this.copiedTimer);
      this.store.flush();
      this.release();
    });
  }

  protected send(): void {
    const content = this.draft().trim();
    if (content === '' || this.composerLocked()) return;
    const model = this.model();
    const request: ChatRequest = {
      messages: [...historyOf(this.turns()), { role: 'user', content }],
      ...(model ? { model } : {}),
    };
    const question: UserTurn = { id: this.nextTurnId++, role: 'user', content };
    const reply: AssistantTurn = {
      id: this.nextTurnId++,
      role: 'assistant',
      request,
      text: '',
      status: 'streaming',
    };
    this.turns.update((turns) => [...turns, question, reply]);
    // The textarea is not bound to `draft`: it is the source, and is cleared here directly.
    this.composer().nativeElement.value = '';
    this.draft.set('');
    this.following.set(true);
    this.follow(reply.id, this.chatStream.stream(request));
    this.saveNow();
  }

  /** Sends the failed reply's request again, in its place. */
  protected retry(turn: AssistantTurn): void {
    if (this.composerLocked() || this.turns().at(-1)?.id !== turn.id) return;
    this.patch(turn.id, (reply) => ({
      ...reply,
      text: '',
      status: 'streaming',
      finishReason: undefined,
      error: undefined,
    }));
    this.following.set(true);
    this.follow(turn.id, this.chatStream.stream(turn.request));
    this.saveNow();
  }

  /**
   * Stops the streaming reply, keeping the text so far. Once the api named the stream, it is asked
   * to stop generating (`DELETE`) and the reply ends with the `cancelled` finish that follows, so
   * every token generated before the stop is shown. If the api refuses, or the finish does not come
   * in time, the reply is ended here all the same: Stop never leaves a reply running.
   */
  protected stop(): void {
    const active = this.active;
    if (!active || active.stopping) return;
    if (active.streamId === undefined) {
      this.end(active.turnId, { status: 'stopped' });
      return;
    }
    active.stopping = true;
    this.stopping.set(true);
    const stopHere = (): void => {
      if (this.active === active) this.end(active.turnId, { status: 'stopped' });
    };
    active.stopTimer = setTimeout(stopHere, this.policy.stopConfirmMs);
    this.chatStream.stop(active.streamId).catch((error: unknown) => {
      this.noticeExpiry(error);
      stopHere();
    });
  }

  /**
   * Starts over with an empty conversation. A reply still streaming is stopped on the api
   * (`DELETE`), not just left: nobody will read it, so it should cost nothing more.
   */
  protected newConversation(): void {
    const streamId = this.active?.streamId;
    if (streamId !== undefined && !this.active?.stopping) {
      this.chatStream.stop(streamId).catch(() => undefined);
    }
    this.release();
    this.suspended = undefined;
    this.suspendedTurnId.set(undefined);
    this.turns.set([]);
    this.store.clear();
    this.following.set(true);
    this.refocusComposer();
  }

  /** Copies a reply's text, as written (Markdown), to the clipboard. */
  protected copyReply(turn: AssistantTurn): void {
    navigator.clipboard.writeText(turn.text).then(
      () => {
        this.copiedTurnId.set(turn.id);
        clearTimeout(this.copiedTimer);
        this.copiedTimer = setTimeout(() => this.copiedTurnId.set(undefined), COPIED_FEEDBACK_MS);
      },
      () => undefined, // No clipboard permission: the text can still be selected by hand.
    );
  }

  /** Saves the conversation now (the page is going away, or a turn was added or ended). */
  protected saveNow(): void {
    this.store.save(this.snapshot());
  }

  protected onVisibilityChange(): void {
    // A hidden tab may be discarded without a pagehide (mobile browsers): save while we can.
    if (document.visibilityState === 'hidden') this.saveNow();
  }

  protected onComposerKeydown(event: KeyboardEvent): void {
    // Enter sends, Shift+Enter is a new line, and Enter that confirms an IME composition is neither.
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    this.send();
  }

  protected onInput(event: Event): void {
    this.draft.set((event.target as HTMLTextAreaElement).value);
  }

  protected onModelChange(event: Event): void {
    this.model.set((event.target as HTMLSelectElement).value);
  }

  protected onLogScroll(): void {
    const log = this.log().nativeElement;
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight <= BOTTOM_SLACK_PX;
    // Only a move up stops following: a scroll event seen while the reply grows is not the user.
    if (atBottom) this.following.set(true);
    else if (log.scrollTop < this.lastScrollTop) this.following.set(false);
    this.lastScrollTop = log.scrollTop;
  }

  protected jumpToLatest(): void {
    this.following.set(true);
  }

  /** Shows the saved conversation again, and picks up the reply that was streaming, if any. */
  private restore(): void {
    const saved = this.store.load();
    if (!saved) return;
    const { active } = saved;
    const turns = saved.turns.map((turn) =>
      turn.role === 'assistant' && turn.status === 'streaming' && turn.id !== active?.turnId
        ? { ...turn, status: 'failed' as const, error: LOST_ON_RELOAD }
        : turn,
    );
    this.turns.set(turns);
    this.nextTurnId = Math.max(0, ...turns.map((turn) => turn.id)) + 1;
    const reply = turns.at(-1);
    if (active && reply?.role === 'assistant') {
      this.follow(reply.id, this.chatStream.resume(active.streamId, active.lastEventId), {
        text: reply.text,
        streamId: active.streamId,
        lastEventId: active.lastEventId,
      });
    }
  }

  /** Makes `turnId` the active reply, filled from `events` after the text it already has. */
  private follow(
    turnId: number,
    events: Observable<ChatStreamEvent>,
    resumed: Pick<ActiveReply, 'text' | 'streamId' | 'lastEventId'> = { text: '' },
  ): void {
    const deltas = new DeltaBuffer((text) =>
      this.patch(turnId, (reply) => ({ ...reply, text: reply.text + text })),
    );
    // The subscription exists before the stream is subscribed, so a stream that ends at once
    // (synchronously) still finds its reply active.
    const subscription = new Subscription();
    const active: ActiveReply = { turnId, subscription, deltas, stopping: false, ...resumed };
    this.active = active;
    this.reconnecting.set(false);
    this.stopping.set(false);
    subscription.add(
      events.subscribe({
        next: (event) => this.onEvent(active, event),
        error: (error: unknown) => this.onError(active, error),
        complete: () => this.end(turnId, { status: 'done' }),
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
      case 'frame': {
        const { frame } = event;
        // The text and the id move together, so a save never pairs text with the wrong position.
        if (event.id !== undefined) active.lastEventId = event.id;
        if (frame.type === 'start') active.streamId ??= frame.streamId;
        if (frame.type === 'text-delta') active.text += frame.delta;
        this.reconnecting.set(false);
        this.apply(active.turnId, frame, active.deltas);
        if (this.active === active) this.store.saveSoon(() => this.snapshot());
        break;
      }
    }
  }

  private onError(active: ActiveReply, error: unknown): void {
    if (this.active !== active) return;
    const expired = this.noticeExpiry(error);
    // Once the api named the stream, it goes on generating: the reply is paused, not lost.
    if (expired && active.streamId !== undefined && !active.stopping) {
      this.suspend(active, active.streamId);
    } else {
      this.end(active.turnId, { status: 'failed', error: replyErrorOf(error) });
    }
  }

  /** Shows the session-expired notice if `error` says the session is gone; whether it did. */
  private noticeExpiry(error: unknown): boolean {
    const expired = error instanceof ChatClientError && error.kind === 'unauthenticated';
    if (expired) this.sessionExpired.set(true);
    return expired;
  }

  /**
   * Pauses the active reply until the user has signed in: it shows as paused, and is saved as
   * still streaming from its last frame, so the reload after signing in resumes it exactly.
   */
  private suspend(active: ActiveReply, streamId: string): void {
    const suspended: SuspendedReply = {
      turnId: active.turnId,
      streamId,
      lastEventId: active.lastEventId,
      text: active.text,
    };
    this.release();
    this.suspended = suspended;
    this.suspendedTurnId.set(suspended.turnId);
    this.patch(suspended.turnId, (reply) => ({
      ...reply,
      text: suspended.text,
      status: 'failed',
      error: SUSPENDED,
    }));
    this.saveNow();
  }

  /** The conversation as it is to be saved: the active reply with all its text received so far. */
  private snapshot(): SavedConversation {
    const suspended = this.suspended;
    if (suspended) {
      const { text, ...position } = suspended;
      const turns = this.turns().map((turn) =>
        turn.id === suspended.turnId && turn.role === 'assistant'
          ? { ...turn, text, status: 'streaming' as const, error: undefined }
          : turn,
      );
      return { turns, active: position };
    }
    const active = this.active;
    if (!active) return { turns: this.turns() };
    const turns = this.turns().map((turn) =>
      turn.id === active.turnId && turn.role === 'assistant'
        ? { ...turn, text: active.text }
        : turn,
    );
    if (active.streamId === undefined) return { turns };
    return {
      turns,
      active: { turnId: active.turnId, streamId: active.streamId, lastEventId: active.lastEventId },
    };
  }

  private apply(turnId: number, frame: StreamFrame, deltas: DeltaBuffer): void {
    switch (frame.type) {
      case 'start':
        break; // Nothing to show yet: the cursor already says a reply is coming.
      case 'text-delta':
        deltas.push(frame.delta);
        break;
      case 'finish':
        this.end(turnId, {
          status: frame.finishReason === 'cancelled' ? 'stopped' : 'done',
          finishReason: frame.finishReason,
        });
        break;
      case 'error':
        this.end(turnId, {
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

  /** Ends the active reply once: shows all text received, releases the stream, records how it ended. */
  private end(
    turnId: number,
    outcome: Pick<AssistantTurn, 'status'> & Partial<AssistantTurn>,
  ): void {
    if (this.active?.turnId !== turnId) return;
    this.release();
    this.patch(turnId, (reply) => ({ ...reply, ...outcome }));
    this.saveNow();
    this.refocusComposer();
  }

  private release(): void {
    const active = this.active;
    if (!active) return;
    this.active = undefined;
    clearTimeout(active.stopTimer);
    this.reconnecting.set(false);
    this.stopping.set(false);
    active.deltas.flush();
    active.deltas.dispose();
    active.subscription.unsubscribe();
  }

  private patch(turnId: number, change: (reply: AssistantTurn) => AssistantTurn): void {
    this.turns.update((turns) =>
      turns.map((turn) => (turn.id === turnId && turn.role === 'assistant' ? change(turn) : turn)),
    );
  }

  /** Focuses the composer (disabled while a reply streams) unless the user's focus is elsewhere. */
  private refocusComposer(): void {
    afterNextRender(
      {
        write: () => {
          const focused = document.activeElement;
          if (focused === null || focused === document.body)
            this.composer().nativeElement.focus({ preventScroll: true });
        },
      },
      { injector: this.injector },
    );
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
  // Not expected from ChatStream; whatever it is, its text is not known to be safe to show.
  return { kind: 'interrupted', message: 'Something went wrong with this reply.', retryable: true };
}
