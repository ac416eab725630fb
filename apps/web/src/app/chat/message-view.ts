import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  inject,
  input,
  output,
  signal,
  viewChild,
  afterNextRender,
  Injector,
} from '@angular/core';
import { ChatNode } from './conversation-tree';
import { NgTemplateOutlet } from '@angular/common';
import { MarkdownView } from '../markdown/markdown-view';

/** How long "Copied" shows after a message was copied. */
const COPIED_FEEDBACK_MS = 2_000;

/**
 * One message of the branch shown, with its actions: copy; edit a question (a new branch beside
 * it); regenerate or retry a reply; move between branches (`< 2/3 >`).
 */
@Component({
  selector: 'app-message-view',
  imports: [MarkdownView, NgTemplateOutlet],
  templateUrl: './message-view.html',
  styleUrl: './message-view.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class MessageView {
  readonly node = input.required<ChatNode>();
  /** Where this message stands among its branches. */
  readonly branch = input<{ index: number; count: number }>({ index: 0, count: 1 });
  /** Whether a reply streams somewhere in the conversation: no new branch meanwhile. */
  readonly busy = input(false);
  /** Whether the reply streaming is being resumed after its connection broke. */
  readonly reconnecting = input(false);
  /** Whether the session expired: retrying would only fail again. */
  readonly sessionExpired = input(false);

  readonly edited = output<string>();
  readonly regenerate = output<void>();
  readonly showBranch = output<-1 | 1>();

  /** Whether the page may write to the clipboard (it may not outside a secure context). */
  protected readonly canCopy = typeof navigator.clipboard?.writeText === 'function';
  protected readonly copied = signal(false);
  protected readonly editing = signal(false);
  private readonly editor = viewChild<ElementRef<HTMLTextAreaElement>>('editor');
  private readonly injector = inject(Injector);
  private copiedTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    inject(DestroyRef).onDestroy(() => clearTimeout(this.copiedTimer));
  }

  /** Copies the message's text, as written (Markdown), to the clipboard. */
  protected copy(): void {
    navigator.clipboard.writeText(this.node().text).then(
      () => {
        this.copied.set(true);
        clearTimeout(this.copiedTimer);
        this.copiedTimer = setTimeout(() => this.copied.set(false), COPIED_FEEDBACK_MS);
      },
      () => undefined, // No clipboard permission: the text can still be selected by hand.
    );
  }

  protected startEditing(): void {
    this.editing.set(true);
    afterNextRender(
      {
        write: () => {
          const editor = this.editor()?.nativeElement;
          editor?.focus();
          editor?.setSelectionRange(editor.value.length, editor.value.length);
        },
      },
      { injector: this.injector },
    );
  }

  protected submitEdit(text: string): void {
    const content = text.trim();
    if (content === '' || this.busy()) return;
    this.editing.set(false);
    this.edited.emit(content);
  }

  protected onEditorKeydown(event: KeyboardEvent, text: string): void {
    if (event.key === 'Escape') {
      event.stopPropagation();
      this.editing.set(false);
    } else if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.submitEdit(text);
    }
  }
}
