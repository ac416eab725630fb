import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A service key for a test: the key itself, and what the keys file says of it. */
export interface TestKey {
  name: string;
  key: string;
  models?: string[];
  /** The groups its caller is in (`ADMIN_GROUPS` makes some of them admins). */
  groups?: string[];
  revoked?: boolean;
  limits?: { concurrentStreams?: number; requestsPerMinute?: number; tokensPerDay?: number };
}

/** Writes an `API_KEYS_FILE` holding these keys' SHA-256 hashes, as an operator would; returns its path. */
export function writeKeysFile(keys: TestKey[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tokenstream-keys-')), 'keys.json');
  const entries = keys.map(({ key, ...entry }) => ({
    ...entry,
    sha256: createHash('sha256').update(key).digest('hex'),
  }));
  writeFileSync(path, JSON.stringify({ keys: entries }));
  return path;
}
