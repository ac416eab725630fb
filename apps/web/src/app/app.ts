import { ChangeDetectionStrategy, Component } from '@angular/core';
import { Chat } from './chat/chat';

/** The root: the app is one chat. */
@Component({
  selector: 'app-root',
  imports: [Chat],
  template: '<app-chat />',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class App {}
