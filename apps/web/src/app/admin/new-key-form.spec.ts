import { newKeyFromFields, type NewKeyFields } from './new-key-form';

const fields = (typed: Partial<NewKeyFields>): NewKeyFields => ({
  name: '',
  groups: '',
  models: '',
  expiresOn: '',
  budgetUsd: '',
  budgetPeriod: 'month',
  ...typed,
});

describe('newKeyFromFields', () => {
  it('sends only the name when nothing else is filled in: every model, no expiry, no budget', () => {
    expect(newKeyFromFields(fields({ name: ' reports ' }))).toEqual({
      ok: true,
      key: { name: 'reports' },
    });
  });

  it('reads groups and models as comma-separated lists, the expiry as midnight UTC, and a budget', () => {
    const parsed = newKeyFromFields(
      fields({
        name: 'reports',
        groups: 'ml, analytics,,',
        models: 'gpt-4o-mini , demo',
        expiresOn: '2027-06-30',
        budgetUsd: '12.5',
        budgetPeriod: 'day',
      }),
    );
    expect(parsed).toEqual({
      ok: true,
      key: {
        name: 'reports',
        groups: ['ml', 'analytics'],
        models: ['gpt-4o-mini', 'demo'],
        expiresAt: '2027-06-30T00:00:00Z',
        budget: { usd: 12.5, period: 'day' },
      },
    });
  });

  it('names what to fix: a missing name, a budget that is not above 0', () => {
    expect(newKeyFromFields(fields({ name: '  ', budgetUsd: '0' }))).toEqual({
      ok: false,
      problems: ['Name the key.', 'A budget is an amount above 0.'],
    });
  });
});
