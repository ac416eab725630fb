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

  it('takes api settings to measure, and refuses one that is not NAME=VALUE', () => {
    const options = parseScaleOptions([
      '--scenario=slow-1000',
      '--api-env',
      'LISTEN_BACKLOG=511',
      '--api-env=LOG_LEVEL=warn',
    ]);
    expect(options.apiEnv).toEqual({ LISTEN_BACKLOG: '511', LOG_LEVEL: 'warn' });
    expect(() => parseScaleOptions(['--scenario=burst', '--api-env', 'backlog'])).toThrow(
      /--api-env takes NAME=VALUE, not backlog/,
    );
  });
});
