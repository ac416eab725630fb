import { ChangeDetectionStrategy, Component } from '@angular/core';

/** The blinking block cursor at the end of a reply that is still streaming. */
@Component({
  selector: 'app-markdown-cursor',
  template: '',
  styles: `
    :host {
      display: inline-block;
      width: 0.5em;
      height: 1.1em;
      margin-left: 0.1em;
      vertical-align: text-bottom;
      border-radius: 1px;
      background: var(--accent);
      animation: blink 1s steps(1) infinite;
    }

    @keyframes blink {
      50% {
        opacity: 0;
      }
    }

    @media (prefers-reduced-motion: reduce) {
      :host {
        animation: none;
      }
    }
  `,
  host: { class: 'cursor', 'aria-hidden': 'true' },
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class MarkdownCursor {}
