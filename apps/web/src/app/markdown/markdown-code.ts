import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  computed,
  effect,
  inject,
  input,
  signal,
} from '@angular/core';
import { MarkdownCursor } from './markdown-cursor';
import { MarkdownCodeBlock } from './markdown-nodes';
import { MarkdownHighlighter, type HighlightedCode } from './markdown-highlighter';
import { escapeHtml } from './markdown-entities';

const COPIED_FEEDBACK_MS = 2000;
/** Lines per part of a code block (see `highlighted`): small enough to redo on every delta. */
const LINES_PER_PART = 16;

/** `lines` joined in parts of `LINES_PER_PART`; each part but the last ends with its newline. */
function inParts(lines: readonly string[]): string[] {
  const parts: string[] = [];
  for (let from = 0; from < lines.length; from += LINES_PER_PART) {
    const to = Math.min(from + LINES_PER_PART, lines.length);
    parts.push(lines.slice(from, to).join('\n') + (to < lines.length ? '\n' : ''));
  }
  return parts;
}

/** A code block of a reply: its language, a button that copies it, and its code highlighted. */
@Component({
  selector: 'app-markdown-code',
  imports: [MarkdownCursor],
  templateUrl: './markdown-code.html',
  styleUrl: './markdown-code.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class MarkdownCode {
  /** The code block to show. */
  readonly block = input.required<MarkdownCodeBlock>();
  /** Whether to show the streaming cursor after the code. */
  readonly cursor = input(false);

  private readonly highlighter = inject(MarkdownHighlighter);
  /** The newest answer for this block's code (or for the start of it, while it streams). */
  private readonly answered = signal<HighlightedCode | undefined>(undefined);

  /**
   * The code as highlighted HTML in parts of `LINES_PER_PART` lines, or `undefined` to show it as
   * plain text. While the highlighter has answered only for the start of the code (it answers out
   * of the page's frames), that start shows highlighted and the rest, escaped, as plain text: the
   * text is always whole. A part whose lines did not change is the same string, so the page leaves
   * it as it is: a long block that streams costs only its last part per delta.
   */
  protected readonly highlighted = computed(() => {
    const { code, language } = this.block();
    if (language === '') return undefined;
    const answered = this.answered();
    const shown =
      answered?.language === language && code.startsWith(answered.code)
        ? answered
        : this.highlighter.recentFor(code, language);
    if (!shown) return undefined;
    const lines = [...shown.lines];
    const [continued, ...added] = code.slice(shown.code.length).split('\n').map(escapeHtml);
    lines[lines.length - 1] += continued;
    lines.push(...added);
    return inParts(lines);
  });

  /** The code as plain text in the same parts, when it is not highlighted. */
  protected readonly plain = computed(() => inParts(this.block().code.split('\n')));

  /** Whether the page may write to the clipboard (it may not outside a secure context). */
  protected readonly canCopy = typeof navigator.clipboard?.writeText === 'function';
  /** Whether the code was just copied, for a moment of feedback. */
  protected readonly copied = signal(false);
  private copiedTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    // One question at a time per block: while one is out, the block may grow by many deltas, and
    // only its code as it is when the answer comes is asked next.
    let asking = false;
    let destroyed = false;
    const ask = (code: string, language: string): void => {
      asking = true;
      void this.highlighter.highlight(code, language).then((lines) => {
        asking = false;
        if (destroyed) return;
        if (lines !== undefined) this.answered.set({ code, language, lines });
        const now = this.block();
        const changed = now.code !== code || now.language !== language;
        if (changed && now.language !== '') ask(now.code, now.language);
      });
    };
    effect(() => {
      const { code, language } = this.block();
      if (language !== '' && !asking) ask(code, language);
    });
    inject(DestroyRef).onDestroy(() => {
      destroyed = true;
      clearTimeout(this.copiedTimer);
    });
  }

  protected copy(): void {
    navigator.clipboard.writeText(this.block().code).then(
      () => {
        this.copied.set(true);
        clearTimeout(this.copiedTimer);
        this.copiedTimer = setTimeout(() => this.copied.set(false), COPIED_FEEDBACK_MS);
      },
      () => undefined, // No clipboard permission: the text can still be selected by hand.
    );
  }
}
