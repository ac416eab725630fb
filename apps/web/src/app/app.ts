import {
  ChangeDetectionStrategy,
  Component,
  effect,
  inject,
  signal,
  viewChild,
  ViewContainerRef,
} from '@angular/core';
import { Chat } from './chat/chat';
import { Pages } from './pages';

/**
 * The root: the chat, or the admin page, whose code is loaded only when it is opened: a dynamic
 * import, put in place by hand. (`@defer`, the router, or even `NgComponentOutlet` would add their
 * code to every chat's first download, for a page only admins open.)
 */
@Component({
  selector: 'app-root',
  imports: [Chat],
  template: `
    @if (pages.current() === 'admin') {
      <ng-container #adminOutlet />
      @if (adminState() === 'loading') {
        <p class="page-loading">Loading…</p>
      } @else if (adminState() === 'failed') {
        <p class="page-loading" role="alert">
          The admin page could not be loaded. <a href="/admin">Try again</a>.
        </p>
      }
    } @else {
      <app-chat />
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class App {
  protected readonly pages = inject(Pages);
  protected readonly adminState = signal<'loading' | 'shown' | 'failed'>('loading');
  private readonly adminOutlet = viewChild('adminOutlet', { read: ViewContainerRef });

  constructor() {
    effect((onCleanup) => {
      const outlet = this.adminOutlet();
      if (!outlet) return;
      let left = false;
      onCleanup(() => (left = true));
      this.adminState.set('loading');
      import('./admin/admin').then(
        ({ Admin }) => {
          if (left) return;
          outlet.createComponent(Admin);
          this.adminState.set('shown');
        },
        () => this.adminState.set('failed'),
      );
    });
  }
}
