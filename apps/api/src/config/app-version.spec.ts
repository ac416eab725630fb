import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_VERSION } from './app-version';

const ROOT = join(__dirname, '../../../..');

describe('APP_VERSION', () => {
  it('is the version of the workspace package and the top entry of the CHANGELOG', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(APP_VERSION).toBe(version);
    const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8');
    expect(/^## \[(\d+\.\d+\.\d+)\]/m.exec(changelog)?.[1]).toBe(APP_VERSION);
  });
});
