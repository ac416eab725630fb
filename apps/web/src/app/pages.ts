import { DestroyRef, DOCUMENT, inject, Injectable, signal } from '@angular/core';

/** The app's pages: the chat, and the admin page. */
export type Page = 'chat' | 'admin';

/** Where each page lives (the api answers every such path with the app). */
export const PAGE_PATHS: Record<Page, string> = { chat: '/', admin: '/admin' };

/** The page an address shows: the admin page under `/admin`, the chat anywhere else. */
export function pageAt(pathname: string): Page {
  return pathname === PAGE_PATHS.admin || pathname.startsWith(`${PAGE_PATHS.admin}/`)
    ? 'admin'
    : 'chat';
}

/**
 * Which page is shown, from the address, following links and the back and forward buttons. Two
 * pages need no router (115 kB more in the first download): the chat already keeps its own part of
 * the address (`?c=`) with the History API, and this does the same for the path.
 */
@Injectable({ providedIn: 'root' })
export class Pages {
  private readonly window = inject(DOCUMENT).defaultView;
  private readonly shown = signal<Page>(pageAt(this.window?.location.pathname ?? '/'));
  /** The page shown. */
  readonly current = this.shown.asReadonly();

  constructor() {
    const onPopState = () => this.shown.set(pageAt(this.window?.location.pathname ?? '/'));
    this.window?.addEventListener('popstate', onPopState);
    inject(DestroyRef).onDestroy(() => this.window?.removeEventListener('popstate', onPopState));
  }

  /**
   * Shows `page` instead of loading it anew, for a plain click on a link to it; a click meant for
   * a new tab or window (a modifier key, another button) is left to the browser.
   */
  open(event: MouseEvent, page: Page): void {
    const history = this.window?.history;
    if (
      !history ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    ) {
      return;
    }
    event.preventDefault();
    if (this.window?.location.pathname !== PAGE_PATHS[page]) {
      history.pushState(null, '', PAGE_PATHS[page]);
    }
    this.shown.set(page);
  }
}
