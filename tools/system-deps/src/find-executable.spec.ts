import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExecutable } from './find-executable.cjs';

/** Writes a file under `root`, executable or not, making its directories. */
function put(root: string, path: string, executable: boolean): void {
  const file = join(root, path);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, executable ? 0o755 : 0o644);
}

describe('findExecutable, on the real file system', () => {
  it('reports a present executable as present: /bin/sh', () => {
    expect(findExecutable('/bin/sh')).toBe('/bin/sh');
  });

  it('reports a missing path, a directory and a file nobody may run as missing', () => {
    const root = mkdtempSync(join(tmpdir(), 'system-deps-'));
    put(root, 'plain.txt', false);
    expect(findExecutable(join(root, 'nothing-here'))).toBeUndefined();
    expect(findExecutable(root)).toBeUndefined();
    expect(findExecutable(join(root, 'plain.txt'))).toBeUndefined();
  });

  it('expands a * in the path, newest version first, skipping versions without the binary', () => {
    const root = mkdtempSync(join(tmpdir(), 'system-deps-'));
    put(root, 'postgresql/9.6/bin/postgres', true);
    put(root, 'postgresql/15/bin/postgres', true);
    put(root, 'postgresql/16/bin/postgres', false);
    put(root, 'postgresql/17/lib/plpgsql.so', false);
    expect(findExecutable(join(root, 'postgresql/*/bin/postgres'))).toBe(
      join(root, 'postgresql/15/bin/postgres'),
    );
    expect(findExecutable(join(root, 'postgresql/1*/bin/postgres'))).toBe(
      join(root, 'postgresql/15/bin/postgres'),
    );
    expect(findExecutable(join(root, 'mysql/*/bin/mysqld'))).toBeUndefined();
  });
});
