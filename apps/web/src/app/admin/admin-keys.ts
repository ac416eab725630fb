import {
  afterNextRender,
  ChangeDetectionStrategy,
  Component,
  DOCUMENT,
  ElementRef,
  inject,
  Injector,
  output,
  signal,
  viewChild,
} from '@angular/core';
import type { ApiKeySummary, CreatedApiKey } from '@tokenstream/stream-contracts';
import { AdminApi } from './admin-api';
import { describeAdminError } from './admin-api-error';
import { ConfirmButton } from './confirm-button';
import { newKeyFromFields, type NewKeyFields } from './new-key-form';
import { utcDate } from './report-period';
import { utcTime } from './utc-time';

/**
 * API keys: a form that makes one and shows its secret once (with Copy), and the table of every key
 * made, each revocable after a confirmation.
 */
@Component({
  selector: 'app-admin-keys',
  imports: [ConfirmButton],
  templateUrl: './admin-keys.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AdminKeys {
  private readonly api = inject(AdminApi);
  /** A key was made or revoked (the audit trail has a new event). */
  readonly changed = output<void>();
  private readonly injector = inject(Injector);
  private readonly clipboard = inject(DOCUMENT).defaultView?.navigator.clipboard;
  private readonly secretPanel = viewChild<ElementRef<HTMLElement>>('secretPanel');
  private readonly nameField = viewChild.required<ElementRef<HTMLInputElement>>('nameField');
  private readonly heading = viewChild.required<ElementRef<HTMLElement>>('heading');

  protected readonly utcTime = utcTime;
  protected readonly keys = signal<ApiKeySummary[] | undefined>(undefined);
  protected readonly listError = signal<string | undefined>(undefined);
  protected readonly formProblems = signal<string[]>([]);
  protected readonly creating = signal(false);
  /** The key just made, its secret shown until dismissed: never again after that. */
  protected readonly created = signal<CreatedApiKey | undefined>(undefined);
  protected readonly copied = signal<'no' | 'yes' | 'failed'>('no');
  /** What the last revoke did, or why it failed. */
  protected readonly revokeStatus = signal<{ ok: boolean; text: string } | undefined>(undefined);
  /** The earliest expiry the api takes: tomorrow (UTC), as a key must expire in the future. */
  protected readonly minExpiry = utcDate(new Date(Date.now() + 86_400_000));

  constructor() {
    void this.load();
  }

  protected async load(): Promise<void> {
    try {
      this.keys.set((await this.api.listKeys()).keys);
      this.listError.set(undefined);
    } catch (error) {
      this.listError.set(describeAdminError(error));
    }
  }

  protected async create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.creating()) return;
    const form = event.target as HTMLFormElement;
    const parsed = newKeyFromFields(fieldsOf(form));
    if (!parsed.ok) {
      this.formProblems.set(parsed.problems);
      return;
    }
    this.creating.set(true);
    this.formProblems.set([]);
    try {
      const created = await this.api.createKey(parsed.key);
      form.reset();
      this.copied.set('no');
      this.created.set(created);
      this.afterRender(() => this.secretPanel()?.nativeElement.focus());
      this.changed.emit();
      await this.load();
    } catch (error) {
      this.formProblems.set([describeAdminError(error)]);
    } finally {
      this.creating.set(false);
    }
  }

  protected async copy(secret: string): Promise<void> {
    try {
      if (!this.clipboard) throw new Error('no clipboard');
      await this.clipboard.writeText(secret);
      this.copied.set('yes');
    } catch {
      this.copied.set('failed');
    }
  }

  /** Forgets the secret: from here on, nobody can see it again. */
  protected dismissSecret(): void {
    this.created.set(undefined);
    this.afterRender(() => this.nameField().nativeElement.focus());
  }

  protected async revoke(key: ApiKeySummary): Promise<void> {
    try {
      await this.api.revokeKey(key.id);
      this.changed.emit();
      await this.load();
      // Said once the list shows it.
      this.revokeStatus.set({ ok: true, text: `Key ${key.name} is revoked.` });
      // Its Revoke button is gone: the heading keeps the reader in the section.
      this.afterRender(() => this.heading().nativeElement.focus());
    } catch (error) {
      // The button stays, and focus with it.
      this.revokeStatus.set({ ok: false, text: describeAdminError(error) });
    }
  }

  private afterRender(write: () => void): void {
    afterNextRender({ write }, { injector: this.injector });
  }
}

function fieldsOf(form: HTMLFormElement): NewKeyFields {
  const data = new FormData(form);
  const text = (name: keyof NewKeyFields) => {
    const value = data.get(name);
    return typeof value === 'string' ? value : '';
  };
  return {
    name: text('name'),
    groups: text('groups'),
    models: text('models'),
    expiresOn: text('expiresOn'),
    budgetUsd: text('budgetUsd'),
    budgetPeriod: text('budgetPeriod'),
  };
}
