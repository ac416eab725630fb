import { parseScaleOptions } from './scale-options';

describe('parseScaleOptions', () => {
  it('takes --profile-split for a scenario that counts the tokens it delivers', () => {
    for (const scenario of ['burst', 'slow-1000']) {
      const options = parseScaleOptions(['--scenario', scenario, '--profile-split']);
      expect(options).toMatchObject({ profileSplit: true, scenario: { name: scenario } });
    }
  });

  it('refuses --profile-split, naming why, for a scenario that counts no tokens', () => {
    expect(() => parseScaleOptions(['--scenario', 'start-cost', '--profile-split'])).toThrow(
      /--profile-split reports per delivered token: --scenario start-cost counts none/,
    );
  });
});
