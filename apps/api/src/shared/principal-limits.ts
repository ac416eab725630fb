import { ownLimitsSchema } from '@tokenstream/stream-contracts';
import type { z } from 'zod';

/**
 * A principal's limits; each is a whole number, and `0` means no limit. The one shape the settings
 * (`LIMIT_*`), the keys file, the models file and keys made at runtime all use, the latter three
 * with each limit optional ({@link ownLimitsSchema}, in the contracts lib for the admin routes).
 */
export const principalLimitsSchema = ownLimitsSchema.required();

export type PrincipalLimits = z.infer<typeof principalLimitsSchema>;

/** The name of one limit, as it appears in a `429`'s `problems` and in the keys file. */
export type LimitName = keyof PrincipalLimits;

/** The value of a limit that does not limit anything. */
export const NO_LIMIT = 0;

/** The limits that apply to a principal: its own where it has them, the defaults otherwise. */
export function effectiveLimits(
  defaults: PrincipalLimits,
  own: Partial<PrincipalLimits> | undefined,
): PrincipalLimits {
  return {
    concurrentStreams: own?.concurrentStreams ?? defaults.concurrentStreams,
    requestsPerMinute: own?.requestsPerMinute ?? defaults.requestsPerMinute,
    tokensPerDay: own?.tokensPerDay ?? defaults.tokensPerDay,
  };
}
