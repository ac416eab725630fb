import {
  afterRenderEffect,
  DestroyRef,
  Directive,
  ElementRef,
  inject,
  input,
  signal,
} from '@angular/core';

/** How close to the bottom (px) still counts as "at the bottom". */
const BOTTOM_SLACK_PX = 48;

/**
 * Keeps a scrolling element at its bottom while its content grows (a reply streaming in), until
 * the user scrolls up; scrolling back to the bottom, or {@link jumpToLatest}, follows again.
 */
@Directive({
  selector: '[appScrollFollow]',
  exportAs: 'scrollFollow',
  host: { '(scroll)': 'onScroll()' },
})
export class ScrollFollow {
  /** Anything that changes when the content does: read so that each change scrolls. */
  readonly appScrollFollow = input<unknown>();
  /** Whether the view follows the content down (false once the user scrolls up). */
  readonly following = signal(true);

  private readonly element = inject<ElementRef<HTMLElement>>(ElementRef).nativeElement;
  private lastScrollTop = 0;
  private scrollFrame: number | undefined;

  constructor() {
    afterRenderEffect({
      write: () => {
        this.appScrollFollow();
        if (this.following()) this.scrollToBottomNextFrame();
      },
    });
    inject(DestroyRef).onDestroy(() => {
      if (this.scrollFrame !== undefined) cancelAnimationFrame(this.scrollFrame);
    });
  }

  jumpToLatest(): void {
    this.following.set(true);
  }

  /**
   * Reading `scrollHeight` lays the page out. Done in the render, right after the DOM changed, it
   * forced a second layout per change and put it in the render's task, where it made most of the
   * long tasks of a reply's first seconds (bench/README.md). In an animation frame it is the
   * frame's own layout, done once however many renders the frame saw.
   */
  private scrollToBottomNextFrame(): void {
    if (this.scrollFrame !== undefined) return;
    this.scrollFrame = requestAnimationFrame(() => {
      this.scrollFrame = undefined;
      if (!this.following()) return;
      this.element.scrollTop = this.element.scrollHeight;
      this.lastScrollTop = this.element.scrollTop;
    });
  }

  protected onScroll(): void {
    const element = this.element;
    const atBottom =
      element.scrollHeight - element.scrollTop - element.clientHeight <= BOTTOM_SLACK_PX;
    // Only a move up stops following: a scroll event seen while the reply grows is not the user.
    if (atBottom) this.following.set(true);
    else if (element.scrollTop < this.lastScrollTop) this.following.set(false);
    this.lastScrollTop = element.scrollTop;
  }
}
