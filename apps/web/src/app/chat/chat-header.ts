import { ChangeDetectionStrategy, Component, computed, inject, input, model } from '@angular/core';
import type { ModelsResponse } from '@tokenstream/stream-contracts';
import { Pages } from '../pages';

/**
 * The top bar: the sidebar's toggle, the conversation's title, the demo notice, the admin page's
 * link (for admins), user and model.
 */
@Component({
  selector: 'app-chat-header',
  templateUrl: './chat-header.html',
  styleUrl: './chat-header.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ChatHeader {
  readonly title = input<string | undefined>(undefined);
  readonly temporary = input(false);
  readonly userName = input<string | undefined>(undefined);
  /** Whether to link to the admin page: the api says this user is an admin (`GET /api/me`). */
  readonly isAdmin = input(false);
  /** The models the api offers (`GET /api/models`), once it answered. */
  readonly modelChoices = input<ModelsResponse | undefined>(undefined);
  /** The model picked; undefined lets the api choose. */
  readonly model = model<string | undefined>(undefined);
  /** Whether the model may not change now (a reply streams). */
  readonly modelLocked = input(false);
  readonly sidebarOpen = model(false);

  protected readonly pages = inject(Pages);
  protected readonly isDemo = computed(() => this.modelChoices()?.provider === 'demo');
  protected readonly models = computed(() => this.modelChoices()?.models ?? []);

  protected onModelChange(event: Event): void {
    this.model.set((event.target as HTMLSelectElement).value);
  }
}
