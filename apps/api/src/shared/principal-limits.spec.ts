import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeyRegistry, hashApiKey } from '../auth/api-key-registry';
import { ConfigError, loadAppConfig } from '../config/app-config';
import { effectiveLimits } from './principal-limits';

function keysFile(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'keys-')), 'keys.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe('principal limits', () => {
  const defaults = { concurrentStreams: 4, requestsPerMinute: 30, tokensPerDay: 200_000 };

  it('are 4 streams at once, 30 a minute and 200000 tokens a day unless configured', () => {
    expect(loadAppConfig({}).limits).toEqual(defaults);
    expect(
      loadAppConfig({
        LIMIT_CONCURRENT_STREAMS: '1',
        LIMIT_REQUESTS_PER_MINUTE: '0',
        LIMIT_TOKENS_PER_DAY: '5000',
      }).limits,
    ).toEqual({ concurrentStreams: 1, requestsPerMinute: 0, tokensPerDay: 5000 });
  });

  it('refuse a limit that is not a whole number, naming the variable', () => {
    expect(() => loadAppConfig({ LIMIT_REQUESTS_PER_MINUTE: '-1' })).toThrow(ConfigError);
    expect(() => loadAppConfig({ LIMIT_TOKENS_PER_DAY: '1e6' })).toThrow(
      /^LIMIT_TOKENS_PER_DAY="1e6": expected a whole number/,
    );
  });

  it("take a principal's own limits over the defaults, each on its own, 0 included", () => {
    expect(effectiveLimits(defaults, undefined)).toEqual(defaults);
    expect(effectiveLimits(defaults, { tokensPerDay: 10, concurrentStreams: 0 })).toEqual({
      concurrentStreams: 0,
      requestsPerMinute: 30,
      tokensPerDay: 10,
    });
  });

  it("read an API key's limits from the keys file, and refuse a bad one", () => {
    const registry = ApiKeyRegistry.fromFile(
      keysFile({
        keys: [{ name: 'batch', sha256: hashApiKey('k'), limits: { tokensPerDay: 1000 } }],
      }),
    );
    expect(registry.find('k')?.limits).toEqual({ tokensPerDay: 1000 });
    for (const limits of [{ tokensPerDay: -1 }, { tokensPerDay: 1.5 }, { perHour: 3 }]) {
      const path = keysFile({ keys: [{ name: 'x', sha256: hashApiKey('k'), limits }] });
      expect(() => ApiKeyRegistry.fromFile(path)).toThrow(/keys\.0\.limits/);
    }
  });
});
