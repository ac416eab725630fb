import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Principal } from '../shared/principal';
import { ownLimitsSchema } from '@tokenstream/stream-contracts';

const SHA256_HEX = /^[0-9a-f]{64}$/;

const keysFileSchema = z.strictObject({
  keys: z.array(
    z.strictObject({
      /** Who holds the key: it names the principal (`apikey:<name>`) in logs, limits and streams. */
      name: z
        .string()
        .regex(/^[\w.-]{1,64}$/, { error: 'expected letters, digits, ".", "_" or "-"' }),
      /** The key's SHA-256, in hex: the key itself is never stored. */
      sha256: z.string().regex(SHA256_HEX, { error: 'expected 64 lowercase hex digits' }),
      /** The groups its caller is in: what `ADMIN_GROUPS` and group budgets match. */
      groups: z.array(z.string().min(1)).optional(),
      /** The models this key may use; absent: every model the api offers. */
      models: z.array(z.string().min(1)).optional(),
      /** A revoked key is refused like an unknown one. */
      revoked: z.boolean().optional(),
      /** This key's own limits, each overriding the api's `LIMIT_*` default; `0`: no limit. */
      limits: ownLimitsSchema.optional(),
    }),
  ),
});

/** One service's key, as the keys file describes it. */
export type ApiKeyEntry = z.infer<typeof keysFileSchema>['keys'][number];

/** The SHA-256 of a key, in hex: what the keys file stores. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * The service keys of `API_KEYS_FILE`, stored as hashes. A presented key is hashed and compared
 * with every stored hash in constant time, so neither timing nor the order of keys reveals anything.
 */
export class ApiKeyRegistry {
  private readonly entries: { entry: ApiKeyEntry; digest: Buffer }[];

  constructor(entries: ApiKeyEntry[]) {
    const names = new Set<string>();
    for (const entry of entries) {
      if (names.has(entry.name)) throw new Error(`API key name "${entry.name}" appears twice`);
      names.add(entry.name);
    }
    this.entries = entries.map((entry) => ({ entry, digest: Buffer.from(entry.sha256, 'hex') }));
  }

  /** Reads and checks the keys file; throws an Error naming the file and the problem. */
  static fromFile(path: string): ApiKeyRegistry {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new Error(`${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const parsed = keysFileSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${path}: ${issue.path.join('.') || '(file)'} ${issue.message}`);
    }
    return new ApiKeyRegistry(parsed.data.keys);
  }

  /** The entry whose key this is, unless it is unknown or revoked. */
  find(presented: string): ApiKeyEntry | undefined {
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let found: ApiKeyEntry | undefined;
    for (const { entry, digest: stored } of this.entries) {
      // No early exit: every stored hash is compared, whatever matched before.
      if (timingSafeEqual(digest, stored) && !found) found = entry;
    }
    return found?.revoked ? undefined : found;
  }

  /** The principal a key stands for, file key or made key: `apikey:<name>`. */
  static principalOf(entry: Pick<ApiKeyEntry, 'name' | 'groups'>): Principal {
    return {
      id: `apikey:${entry.name}`,
      kind: 'service',
      via: 'apikey',
      name: entry.name,
      groups: entry.groups ?? [],
    };
  }
}
