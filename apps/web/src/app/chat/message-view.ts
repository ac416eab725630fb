import {
  ChangeDetectionStrategy,
  Component,
  computed,
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

/** A button under a message. */
export interface MessageAction {
  kind: 'previous' | 'next' | 'edit' | 'copy' | 'regenerate';
  /** The button's text. */
  text: string;
  /** Its accessible name. */
  label: string;
  testId: string | null;
  disabled: boolean;
}

/**
 * The buttons under `message`, in order: a question's Edit and Copy; a reply's Copy (when it has
 * text) and Regenerate (a failed one has Retry instead). Copy only where the page may use the
 * clipboard; nothing that makes a new branch while a reply streams (`busy`).
 */
export function actionsOf(
  message: ChatNode,
  state: { canCopy: boolean; copied: boolean; busy: boolean },
): MessageAction[] {
  const { canCopy, copied, busy } = state;
  const question = message.role === 'user';
  const copy: MessageAction = {
    kind: 'copy',
    text: copied ? 'Copied' : 'Copy',
    label: copied ? 'Copied' : question ? 'Copy this message' : 'Copy this reply',
    testId: question ? null : 'copy-reply',
    disabled: false,
  };
  if (question) {
    const edit: MessageAction = {
      kind: 'edit',
      text: 'Edit',
      label: 'Edit this message',
      testId: 'edit',
      disabled: busy,
    };
    return canCopy ? [edit, copy] : [edit];
  }
  const regenerate: MessageAction = {
    kind: 'regenerate',
    text: 'Regenerate',
    label: 'Regenerate this reply',
    testId: 'regenerate',
    disabled: busy,
  };
  return [
    ...(canCopy && message.text !== '' ? [copy] : []),
    ...(message.status !== 'failed' ? [regenerate] : []),
  ];
}

/** The steps to the versions beside a message's (`<` and `>` around `2/3`). */
export function stepsOf(
  branch: { index: number; count: number },
  busy: boolean,
): { previous: MessageAction; next: MessageAction } {
  return {
    previous: {
      kind: 'previous',
      text: '<',
      label: 'Previous version',
      testId: 'branch-previous',
      disabled: busy || branch.index === 0,
    },
    next: {
      kind: 'next',
      text: '>',
      label: 'Next version',
      testId: 'branch-next',
      disabled: busy || branch.index === branch.count - 1,
    },
  };
}

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
  protected readonly actions = computed(() =>
    actionsOf(this.node(), { canCopy: this.canCopy, copied: this.copied(), busy: this.busy() }),
  );
  protected readonly steps = computed(() => stepsOf(this.branch(), this.busy()));
  private readonly editor = viewChild<ElementRef<HTMLTextAreaElement>>('editor');
  private readonly injector = inject(Injector);
  private copiedTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    inject(DestroyRef).onDestroy(() => clearTimeout(this.copiedTimer));
  }

  protected run(kind: MessageAction['kind']): void {
    if (kind === 'previous') this.showBranch.emit(-1);
    else if (kind === 'next') this.showBranch.emit(1);
    else if (kind === 'edit') this.startEditing();
    else if (kind === 'copy') this.copy();
    else this.regenerate.emit();
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
