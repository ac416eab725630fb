import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';

/** The top bar: the sidebar's toggle, the conversation's title, the demo notice, user and model. */
@Component({
  selector: 'app-chat-header',
  templateUrl: './chat-header.html',
  styleUrl: './chat-header.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ChatHeader {
  readonly title = input<string | undefined>(undefined);
  readonly temporary = input(false);
  readonly isDemo = input(false);
  readonly userName = input<string | undefined>(undefined);
  readonly models = input<readonly string[]>([]);
  readonly model = input<string | undefined>(undefined);
  readonly modelLocked = input(false);
  readonly sidebarOpen = input(false);

  readonly modelChange = output<string>();
  readonly toggleSidebar = output<void>();

  protected onModelChange(event: Event): void {
    this.modelChange.emit((event.target as HTMLSelectElement).value);
  }
}
