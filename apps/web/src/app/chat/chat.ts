import {
  afterNextRender,
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  DOCUMENT,
  ElementRef,
  inject,
  Injector,
  signal,
  viewChild,
} from '@angular/core';
import type { ModelsResponse } from '@tokenstream/stream-contracts';
import { ChatHeader } from './chat-header';
import { MessageView } from './message-view';
import { ChatSession } from './chat-session';
import { ClientConfig } from '../api/client-config';
import { ConversationList } from '../conversations/conversation-list';
import { ConversationSidebar } from '../conversations/conversation-sidebar';
import { CurrentUser, displayNameOf } from '../api/current-user';
import { MarkdownHighlighter } from '../markdown/markdown-highlighter';
import { ModelChoices } from '../api/model-choices';
import { ScrollFollow } from './scroll-follow';

/** The query parameter that names the conversation shown, so a reload or a link opens it. */
export const CONVERSATION_PARAM = 'c';

/** Below this width the sidebar covers the chat, and starts closed. */
const NARROW_QUERY = '(max-width: 800px)';

/**
 * The chat page: the sidebar of kept conversations, the conversation shown (its branch, with
 * every reply's actions) and the composer. The state is {@link ChatSession}'s.
 */
@Component({
  selector: 'app-chat',
  imports: [ChatHeader, MessageView, ConversationSidebar, ScrollFollow],
  providers: [ChatSession],
  templateUrl: './chat.html',
  styleUrl: './chat.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: {
    '(document:keydown.escape)': 'session.stop()',
    '(window:popstate)': 'openFromUrl()',
    '(window:pagehide)': 'list.commitDelete(true)',
  },
})
export class Chat {
  protected readonly session = inject(ChatSession);
  protected readonly list = inject(ConversationList);
  private readonly clientConfig = inject(ClientConfig);
  private readonly highlighter = inject(MarkdownHighlighter);
  private readonly injector = inject(Injector);
  private readonly window = inject(DOCUMENT).defaultView;
  private readonly composer = viewChild.required<ElementRef<HTMLTextAreaElement>>('composer');

  protected readonly draft = signal('');
  protected readonly modelChoices = signal<ModelsResponse | undefined>(undefined);
  /** The signed-in user's name, when the api knows one (behind SSO). */
  protected readonly userName = signal<string | undefined>(undefined);
  /** Whether the api takes the user for an admin: the header then links to the admin page. */
  protected readonly isAdmin = signal(false);
  protected readonly sidebarOpen = signal(!this.window?.matchMedia?.(NARROW_QUERY).matches);
  /** The "Sign in" link: the configured sign-in page coming back here, or this page (a reload). */
  protected signInHref(): string {
    return this.clientConfig.signInHref();
  }

  protected readonly composerLocked = computed(
    () => this.session.streaming() || this.session.loading(),
  );
  /** The title shown: the list's (renamed there, it follows), else the session's. */
  protected readonly title = computed(() => {
    const id = this.session.conversationId();
    const listed = id ? this.list.conversations().find((c) => c.id === id) : undefined;
    return listed?.title ?? this.session.title();
  });
  protected readonly canSend = computed(() => !this.composerLocked() && this.draft().trim() !== '');

  constructor() {
    void this.clientConfig.load();
    const loads = new AbortController();
    inject(CurrentUser)
      .load(loads.signal)
      .then(
        (me) => {
          this.userName.set(displayNameOf(me));
          this.isAdmin.set(me.isAdmin === true);
        },
        // Not signed in, or no /api/me: the header just shows no user.
        (error: unknown) => this.session.noticeExpiry(error),
      );
    inject(ModelChoices)
      .load(loads.signal)
      .then(
        (choices) => {
          this.modelChoices.set(choices);
          this.session.model.set(choices.defaultModel);
        },
        // Without the list the chat still works: requests name no model and the api picks its own.
        (error: unknown) => this.session.noticeExpiry(error),
      );
    const touched = this.session.touched.subscribe(({ id, firstMessage }) => {
      // A conversation the list has not loaded yet (an old one, opened by its link) joins it too.
      this.list.touch(id, firstMessage ?? this.session.title());
      // A new conversation got its id: the address names it now (a reload opens it again).
      if (firstMessage !== undefined && this.session.conversationId() === id)
        this.setUrl(id, false);
    });
    this.openFromUrl();
    this.refocusComposer(); // ready to type on arrival
    // Loaded while the page is idle, not when the first code block streams in: compiling the
    // highlighter mid-reply is a long task (bench/README.md, "Rendering a long reply").
    const idle = this.window?.requestIdleCallback?.bind(this.window);
    if (idle)
      afterNextRender(() => void idle(() => this.highlighter.load()), { injector: this.injector });
    inject(DestroyRef).onDestroy(() => {
      loads.abort();
      touched.unsubscribe();
    });
  }

  /** Shows the conversation the address names, or a new chat. */
  protected openFromUrl(): void {
    const id = this.urlConversation();
    if (id === this.session.conversationId() && id !== undefined) return;
    if (id) void this.session.open(id);
    else this.session.startNew();
  }

  protected open(id: string): void {
    if (this.narrow()) this.sidebarOpen.set(false);
    if (id === this.session.conversationId()) return;
    this.setUrl(id, true);
    void this.session.open(id);
    this.refocusComposer();
  }

  protected startNew(temporary: boolean): void {
    if (this.narrow()) this.sidebarOpen.set(false);
    this.setUrl(undefined, true);
    this.session.startNew(temporary);
    this.refocusComposer();
  }

  protected send(): void {
    const content = this.draft().trim();
    if (content === '' || this.composerLocked()) return;
    this.session.send(content);
    // The textarea is not bound to `draft`: it is the source, and is cleared here directly.
    this.composer().nativeElement.value = '';
    this.draft.set('');
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

  private urlConversation(): string | undefined {
    const search = this.window?.location.search ?? '';
    return new URLSearchParams(search).get(CONVERSATION_PARAM) ?? undefined;
  }

  private setUrl(id: string | undefined, newEntry: boolean): void {
    const history = this.window?.history;
    const location = this.window?.location;
    if (!history || !location) return;
    const url = new URL(location.href);
    if (id) url.searchParams.set(CONVERSATION_PARAM, id);
    else url.searchParams.delete(CONVERSATION_PARAM);
    if (url.href === location.href) return;
    if (newEntry) history.pushState(null, '', url);
    else history.replaceState(null, '', url);
  }

  private narrow(): boolean {
    return this.window?.matchMedia?.(NARROW_QUERY).matches ?? false;
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
