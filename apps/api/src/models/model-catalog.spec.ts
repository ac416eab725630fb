import type { Principal } from '../shared/principal';
import { loadAppConfig } from '../config/app-config';
import { ModelCatalog } from './model-catalog';

const catalog = new ModelCatalog(
  loadAppConfig({
    CHAT_MODEL: 'small',
    CHAT_MODELS: 'small,large,reasoning',
    MODEL_GROUPS: 'large:staff|admins,reasoning:admins',
  }).models,
);
const user = (groups: string[]): Principal => ({ id: 'u', kind: 'user', via: 'oidc', groups });

describe('ModelCatalog', () => {
  it('offers a user the open models and those of their groups', () => {
    expect(catalog.allowedFor(user([]))).toEqual(['small']);
    expect(catalog.allowedFor(user(['staff']))).toEqual(['small', 'large']);
    expect(catalog.allowedFor(user(['admins']))).toEqual(['small', 'large', 'reasoning']);
  });

  it('refuses a model outside the groups, and tells it apart from an unknown one', () => {
    expect(catalog.resolve('reasoning', user(['staff']))).toEqual({
      ok: false,
      reason: 'not-allowed',
    });
    expect(catalog.resolve('gpt-9', user(['admins']))).toEqual({ ok: false, reason: 'unknown' });
    expect(catalog.resolve(undefined, user([]))).toEqual({ ok: true, model: 'small' });
  });

  it("narrows a service to its key's list, which group restrictions do not override", () => {
    const key: Principal = {
      id: 'apikey:k',
      kind: 'service',
      via: 'apikey',
      groups: [],
      models: ['reasoning'],
    };
    expect(catalog.allowedFor(key)).toEqual(['reasoning']);
    expect(catalog.describe(key)).toMatchObject({
      defaultModel: 'reasoning',
      models: ['reasoning'],
    });
  });
});
