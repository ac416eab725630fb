import { z } from 'zod';

/** One limit: a whole number, `0` for none. */
const limitValue = z
  .int({ error: 'expected a whole number' })
  .min(0, { error: 'expected 0 or more' });

/**
 * A principal's limits; each is a whole number, and `0` means no limit. The one shape the settings
 * (`LIMIT_*`), the keys file and the models file all use, the latter two with each limit optional.
 */
export const principalLimitsSchema = z.strictObject({
  /** Streams the principal may have generating at once. */
  concurrentStreams: limitValue,
  /** New streams the principal may start in any rolling minute. */
  requestsPerMinute: limitValue,
  /** Tokens (prompt and completion) the principal may use per UTC day. */
  tokensPerDay: limitValue,
});

export type PrincipalLimits = z.infer<typeof principalLimitsSchema>;

/** Limits where each may be left to the defaults, as a key or a model sets its own. */
export const ownLimitsSchema = principalLimitsSchema.partial();

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
