import {
  afterNextRender,
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  inject,
  Injector,
  input,
  output,
  signal,
  viewChild,
} from '@angular/core';
import type { ConversationSummary } from '@tokenstream/stream-contracts';
import { ConversationList } from './conversation-list';

/** What each conversation of the list offers beside its title. */
const ITEM_ACTIONS = [
  { kind: 'rename', verb: 'Rename', glyph: '✎' },
  { kind: 'delete', verb: 'Delete', glyph: '✕' },
] as const;

/**
 * The kept conversations, grouped by date, newest first: open one, search, rename, delete (with
 * undo), start a new chat or a temporary one.
 */
@Component({
  selector: 'app-conversation-sidebar',
  templateUrl: './conversation-sidebar.html',
  styleUrl: './conversation-sidebar.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ConversationSidebar {
  protected readonly list = inject(ConversationList);
  private readonly injector = inject(Injector);
  private readonly renameInput = viewChild<ElementRef<HTMLInputElement>>('renameInput');

  /** The conversation shown, highlighted in the list. */
  readonly currentId = input<string | undefined>(undefined);
  readonly opened = output<string>();
  readonly newChat = output<boolean>();

  protected readonly itemActions = ITEM_ACTIONS;

  /** The conversation whose title is being edited. */
  protected readonly renaming = signal<string | undefined>(undefined);

  constructor() {
    void this.list.refresh();
  }

  protected act(kind: 'rename' | 'delete', conversation: ConversationSummary): void {
    if (kind === 'rename') this.startRename(conversation);
    else this.remove(conversation);
  }

  protected startRename(conversation: ConversationSummary): void {
    this.renaming.set(conversation.id);
    afterNextRender(
      { write: () => this.renameInput()?.nativeElement.select() },
      {
        injector: this.injector,
      },
    );
  }

  protected finishRename(conversation: ConversationSummary, title: string): void {
    if (this.renaming() !== conversation.id) return;
    this.renaming.set(undefined);
    const trimmed = title.trim();
    if (trimmed === '' || trimmed === conversation.title) return;
    this.list.rename(conversation.id, trimmed).catch(() => undefined);
  }

  protected onRenameKeydown(
    event: KeyboardEvent,
    conversation: ConversationSummary,
    title: string,
  ): void {
    if (event.key === 'Enter') {
      event.preventDefault();
      this.finishRename(conversation, title);
    } else if (event.key === 'Escape') {
      event.stopPropagation();
      this.renaming.set(undefined);
    }
  }

  /** The conversation whose deletion can be undone was the one shown: Undo shows it again. */
  private deletedWasShown = false;

  protected remove(conversation: ConversationSummary): void {
    this.list.delete(conversation);
    this.deletedWasShown = conversation.id === this.currentId();
    // The conversation shown is gone: show a new chat, as the chat apps do.
    if (this.deletedWasShown) this.newChat.emit(false);
  }

  protected undo(): void {
    const pending = this.list.pendingDelete();
    this.list.undoDelete();
    if (pending && this.deletedWasShown) this.opened.emit(pending.conversation.id);
  }
}
