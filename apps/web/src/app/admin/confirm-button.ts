import {
  afterNextRender,
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  Injector,
  inject,
  input,
  output,
  signal,
  viewChild,
} from '@angular/core';

/**
 * A button for what cannot be undone (revoking a key, removing a budget): the first click asks,
 * in place, and only "Yes, …" does it. Focus follows: to the question's answer, and back.
 */
@Component({
  selector: 'app-confirm-button',
  template: `
    @if (asking()) {
      <span class="confirm" role="group" [attr.aria-label]="question()">
        <span class="question">{{ question() }}</span>
        <button #yes type="button" class="button danger" data-testid="confirm" (click)="confirm()">
          Yes, {{ label().toLowerCase() }}
        </button>
        <button type="button" class="button" data-testid="cancel" (click)="cancel()">Cancel</button>
      </span>
    } @else {
      <button
        #ask
        type="button"
        class="button"
        [attr.data-testid]="testId()"
        [attr.aria-label]="label() + ' ' + subject()"
        [disabled]="disabled()"
        (click)="open()"
      >
        {{ label() }}
      </button>
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ConfirmButton {
  /** The verb: `Revoke`, `Remove`. */
  readonly label = input.required<string>();
  /** What it acts on, for screen readers: `key reports`. */
  readonly subject = input.required<string>();
  readonly question = input.required<string>();
  readonly testId = input<string | undefined>(undefined);
  readonly disabled = input(false);
  readonly confirmed = output<void>();

  protected readonly asking = signal(false);
  private readonly yes = viewChild<ElementRef<HTMLButtonElement>>('yes');
  private readonly ask = viewChild<ElementRef<HTMLButtonElement>>('ask');
  private readonly injector = inject(Injector);

  protected open(): void {
    this.asking.set(true);
    this.focusAfterRender(() => this.yes());
  }

  protected cancel(): void {
    this.asking.set(false);
    this.focusAfterRender(() => this.ask());
  }

  protected confirm(): void {
    this.asking.set(false);
    this.confirmed.emit();
    this.focusAfterRender(() => this.ask());
  }

  private focusAfterRender(target: () => ElementRef<HTMLElement> | undefined): void {
    afterNextRender({ write: () => target()?.nativeElement.focus() }, { injector: this.injector });
  }
}
