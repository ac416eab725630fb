import { ChangeDetectionStrategy, Component, signal, viewChild } from '@angular/core';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { ScrollFollow } from './scroll-follow';

@Component({
  imports: [ScrollFollow],
  template: `<div class="log" [appScrollFollow]="content()"></div>`,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
class Host {
  readonly content = signal(0);
  readonly follow = viewChild.required(ScrollFollow);
}

/** jsdom lays nothing out: the log's heights are set here, and its scrollTop kept in range. */
class Box {
  scrollHeight = 1_000;
  readonly clientHeight = 200;
  private top = 0;

  constructor(private readonly element: HTMLElement) {
    Object.defineProperties(element, {
      scrollHeight: { configurable: true, get: () => this.scrollHeight },
      clientHeight: { configurable: true, get: () => this.clientHeight },
      scrollTop: {
        configurable: true,
        get: () => this.top,
        set: (value: number) => {
          this.top = Math.max(0, Math.min(value, this.scrollHeight - this.clientHeight));
        },
      },
    });
  }

  get scrollTop(): number {
    return this.top;
  }

  /** The user (or the browser) scrolls to `top`. */
  scrollTo(top: number): void {
    this.element.scrollTop = top;
    this.element.dispatchEvent(new Event('scroll'));
  }

  get bottom(): number {
    return this.scrollHeight - this.clientHeight;
  }
}

describe('ScrollFollow', () => {
  let fixture: ComponentFixture<Host>;
  let box: Box;

  beforeEach(async () => {
    fixture = TestBed.createComponent(Host);
    box = new Box((fixture.nativeElement as HTMLElement).querySelector('.log') as HTMLElement);
    await rendered();
  });

  /** The content grows by `px` (a reply streaming in), and the view renders. */
  async function grow(px: number): Promise<void> {
    box.scrollHeight += px;
    fixture.componentInstance.content.update((n) => n + 1);
    await rendered();
  }

  /** The view renders, and the animation frame that scrolls it runs. */
  async function rendered(): Promise<void> {
    await fixture.whenStable();
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }

  it('keeps the view at the bottom as the content grows', async () => {
    expect(box.scrollTop).toBe(box.bottom);

    await grow(300);

    expect(box.scrollTop).toBe(box.bottom);
    expect(fixture.componentInstance.follow().following()).toBe(true);
  });

  it('stops following when the user scrolls up, and leaves the view where they put it', async () => {
    await grow(0);

    box.scrollTo(100);
    await grow(300);

    expect(fixture.componentInstance.follow().following()).toBe(false);
    expect(box.scrollTop).toBe(100);
  });

  it('follows again when the user scrolls back to the bottom', async () => {
    box.scrollTo(100);

    box.scrollTo(box.bottom - 20); // within the slack of the bottom
    await grow(300);

    expect(fixture.componentInstance.follow().following()).toBe(true);
    expect(box.scrollTop).toBe(box.bottom);
  });

  it('follows again, down to the latest, on jumpToLatest', async () => {
    box.scrollTo(100);
    await grow(300);

    fixture.componentInstance.follow().jumpToLatest();
    await rendered();

    expect(box.scrollTop).toBe(box.bottom);
    expect(fixture.componentInstance.follow().following()).toBe(true);
  });

  it('keeps following through a scroll event that does not move up (the content grew)', async () => {
    box.scrollHeight += 500; // grown, not yet rendered: the view is now far from the bottom

    box.scrollTo(box.scrollTop);
    await grow(0);

    expect(fixture.componentInstance.follow().following()).toBe(true);
    expect(box.scrollTop).toBe(box.bottom);
  });
});
