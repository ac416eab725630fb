import { ChangeDetectionStrategy, Component, inject, output, signal } from '@angular/core';
import type { BudgetOwnerKind, BudgetStatus } from '@tokenstream/stream-contracts';
import { AdminApi } from './admin-api';
import { describeAdminError } from './admin-api-error';
import { ConfirmButton } from './confirm-button';
import { usd } from './usd';

/**
 * Who an admin sets a budget for (the contract's `BUDGET_OWNER_KINDS`), typed by the contract but
 * not read from it: its module holds zod schemas, which would come along into the bundle.
 */
const OWNER_KINDS: Record<BudgetOwnerKind, string> = { user: 'A user', group: 'A group' };

/** Budgets: every one with what was spent against it, and a form to set a user's or a group's. */
@Component({
  selector: 'app-admin-budgets',
  imports: [ConfirmButton],
  templateUrl: './admin-budgets.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AdminBudgets {
  private readonly api = inject(AdminApi);

  /** A budget was set or removed (the audit trail has a new event). */
  readonly changed = output<void>();

  protected readonly ownerKinds = Object.entries(OWNER_KINDS).map(([value, label]) => ({
    value,
    label,
  }));
  protected readonly usd = usd;
  protected readonly budgets = signal<BudgetStatus[] | undefined>(undefined);
  protected readonly listError = signal<string | undefined>(undefined);
  protected readonly saving = signal(false);
  /** What the last change did, or why it failed. */
  protected readonly outcome = signal<{ ok: boolean; text: string } | undefined>(undefined);

  constructor() {
    void this.load();
  }

  protected async load(): Promise<void> {
    try {
      this.budgets.set((await this.api.listBudgets()).budgets);
      this.listError.set(undefined);
    } catch (error) {
      this.listError.set(describeAdminError(error));
    }
  }

  protected async save(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.saving()) return;
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const kind = String(data.get('kind'));
    const id = String(data.get('id') ?? '').trim();
    const usd = Number(data.get('usd'));
    const period = data.get('period') === 'day' ? 'day' : 'month';
    if (!Object.hasOwn(OWNER_KINDS, kind) || id === '') {
      this.outcome.set({ ok: false, text: 'Name the user or group the budget is for.' });
      return;
    }
    if (!Number.isFinite(usd) || usd <= 0) {
      this.outcome.set({ ok: false, text: 'A budget is an amount above 0.' });
      return;
    }
    this.saving.set(true);
    try {
      const set = await this.api.setBudget(kind as BudgetOwnerKind, id, { usd, period });
      this.changed.emit();
      form.reset();
      await this.load();
      this.outcome.set({ ok: true, text: `The budget of ${set.kind} ${set.id} is set.` });
    } catch (error) {
      this.outcome.set({ ok: false, text: describeAdminError(error) });
    } finally {
      this.saving.set(false);
    }
  }

  protected async remove(budget: BudgetStatus): Promise<void> {
    if (budget.kind === 'key') return;
    try {
      await this.api.removeBudget(budget.kind, budget.id);
      this.changed.emit();
      await this.load();
      this.outcome.set({ ok: true, text: `The budget of ${budget.kind} ${budget.id} is removed.` });
    } catch (error) {
      this.outcome.set({ ok: false, text: describeAdminError(error) });
    }
  }

  /** How much of the budget is spent, as a whole percentage. */
  protected used(budget: BudgetStatus): string {
    return `${Math.round(budget.usd > 0 ? (budget.spentUsd / budget.usd) * 100 : 0)}%`;
  }
}
