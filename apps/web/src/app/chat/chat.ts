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
import { Subscription } from 'rxjs';
import { ChatStream } from './chat-stream';
import { ChatStreamError } from './chat-stream-error';
import { AssistantTurn, historyOf, ReplyError, Turn, UserTurn } from './conversation';
import { DeltaBuffer } from './delta-buffer';
import { MarkdownView } from './markdown-view';
import { ModelCatalog } from './model-catalog';

/** How close to the bottom (px) still counts as "at the bottom" for auto-scroll. */
const BOTTOM_SLACK_PX = 48;

interface ActiveReply {
  turnId: number;
  subscription: Subscription;
  deltas: DeltaBuffer;
}

/** The chat: a conversation whose replies stream in, a composer, Stop and Retry. */
@Component({
  selector: 'app-chat',
  imports: [MarkdownView],
  templateUrl: './chat.html',
  styleUrl: './chat.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '(document:keydown.escape)': 'stop()' },
})
export class Chat {
  private readonly chatStream = inject(ChatStream);
  private readonly injector = inject(Injector);
  private readonly log = viewChild.required<ElementRef<HTMLElement>>('log');
  private readonly composer = viewChild.required<ElementRef<HTMLTextAreaElement>>('composer');

  protected readonly turns = signal<readonly Turn[]>([]);
  protected readonly draft = signal('');
  protected readonly catalog = signal<ModelsResponse | undefined>(undefined);
  protected readonly model = signal<string | undefined>(undefined);
  /** Whether the view follows the reply down as it grows (false once the user scrolls up). */
  protected readonly following = signal(true);

  protected readonly streaming = computed(() => {
    const last = this.turns().at(-1);
    return last?.role === 'assistant' && last.status === 'streaming';
  });
  protected readonly canSend = computed(() => !this.streaming() && this.draft().trim() !== '');
  protected readonly isDemo = computed(() => this.catalog()?.provider === 'demo');
  protected readonly models = computed(() => this.catalog()?.models ?? []);

  private active: ActiveReply | undefined;
  private nextTurnId = 1;
  private lastScrollTop = 0;

  constructor() {
    const catalogLoad = new AbortController();
    inject(ModelCatalog)
      .load(catalogLoad.signal)
      .then(
        (catalog) => {
          this.catalog.set(catalog);
          this.model.set(catalog.defaultModel);
        },
        // Without the list the chat still works: requests name no model and the api picks its own.
        () => undefined,
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

    this.refocusComposer(); // ready to type on arrival

    inject(DestroyRef).onDestroy(() => {
      catalogLoad.abort();
      this.release();
    });
  }

  protected send(): void {
    const content = this.draft().trim();
    if (content === '' || this.streaming()) return;
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
    this.start(reply.id, request);
  }

  /** Sends the failed reply's request again, in its place. */
  protected retry(turn: AssistantTurn): void {
    if (this.streaming() || this.turns().at(-1)?.id !== turn.id) return;
    this.patch(turn.id, (reply) => ({
      ...reply,
      text: '',
      status: 'streaming',
      finishReason: undefined,
      error: undefined,
    }));
    this.following.set(true);
    this.start(turn.id, turn.request);
  }

  /** Stops the streaming reply: the request is aborted and the text so far stays. */
  protected stop(): void {
    if (this.active) this.end(this.active.turnId, { status: 'stopped' });
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

  private start(turnId: number, request: ChatRequest): void {
    const deltas = new DeltaBuffer((text) =>
      this.patch(turnId, (reply) => ({ ...reply, text: reply.text + text })),
    );
    // The subscription exists before the stream is subscribed, so a stream that ends at once
    // (synchronously) still finds its reply active.
    const subscription = new Subscription();
    this.active = { turnId, subscription, deltas };
    subscription.add(
      this.chatStream.stream(request).subscribe({
        next: ({ frame }) => this.apply(turnId, frame, deltas),
        error: (error: unknown) =>
          this.end(turnId, { status: 'failed', error: replyErrorOf(error) }),
        complete: () => this.end(turnId, { status: 'done' }),
      }),
    );
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
    this.refocusComposer();
  }

  private release(): void {
    const active = this.active;
    if (!active) return;
    this.active = undefined;
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
  if (error instanceof ChatStreamError) {
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
