import {
  afterNextRender,
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  DOCUMENT,
  ElementRef,
  inject,
  Injector,
  signal,
  viewChild,
  ViewEncapsulation,
} from '@angular/core';
import { Title } from '@angular/platform-browser';
import { ChatClientError } from '@tokenstream/stream-client';
import { ClientConfig } from '../api/client-config';
import { CurrentUser } from '../api/current-user';
import { Pages } from '../pages';
import { AdminAudit } from './admin-audit';
import { AdminBudgets } from './admin-budgets';
import { AdminKeys } from './admin-keys';
import { AdminUsage } from './admin-usage';

/** Whether the page may be shown: it asks `GET /api/me` first. */
type Access = 'checking' | 'admin' | 'not-admin' | 'signed-out' | 'failed';

/**
 * The admin page (`/admin`, loaded on demand): keys, usage, budgets and the audit trail, for the
 * callers the api calls admins. Anyone else is told so, and shown the way back to the chat.
 */
@Component({
  selector: 'app-admin',
  imports: [AdminKeys, AdminUsage, AdminBudgets, AdminAudit],
  templateUrl: './admin.html',
  styleUrl: './admin.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
  // The sections share the page's table, form and notice styles: scoped by `app-admin` instead.
  encapsulation: ViewEncapsulation.None,
})
export class Admin {
  protected readonly access = signal<Access>('checking');
  private readonly heading = viewChild.required<ElementRef<HTMLElement>>('heading');
  private readonly injector = inject(Injector);
  private readonly document = inject(DOCUMENT);
  private readonly clientConfig = inject(ClientConfig);
  protected readonly pages = inject(Pages);

  /** The "Sign in" link: the configured sign-in page coming back here, or this page (a reload). */
  protected signInHref(): string {
    return this.clientConfig.signInHref();
  }

  /** Moves to a section: its heading takes the focus (the page's own links, not the router's). */
  protected jump(event: Event, headingId: string): void {
    const heading = this.document.getElementById(headingId);
    if (!heading) return;
    event.preventDefault();
    heading.focus({ preventScroll: true });
    heading.scrollIntoView({ block: 'start' });
  }

  constructor() {
    void this.clientConfig.load();
    const title = inject(Title);
    const chatTitle = title.getTitle();
    title.setTitle(`Administration · ${chatTitle}`);
    const loads = new AbortController();
    inject(DestroyRef).onDestroy(() => {
      loads.abort();
      title.setTitle(chatTitle);
    });
    inject(CurrentUser)
      .load(loads.signal)
      .then(
        (me) => this.access.set(me.isAdmin ? 'admin' : 'not-admin'),
        (error: unknown) =>
          this.access.set(
            error instanceof ChatClientError && error.kind === 'unauthenticated'
              ? 'signed-out'
              : 'failed',
          ),
      )
      .finally(() => {
        // A new page's heading takes the focus, so a screen reader starts there.
        if (!loads.signal.aborted)
          afterNextRender(
            { write: () => this.heading().nativeElement.focus({ preventScroll: true }) },
            { injector: this.injector },
          );
      });
  }
}
