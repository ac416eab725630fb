/** A principal's limits; each is a whole number, and `0` means no limit. */
export interface PrincipalLimits {
  /** Streams the principal may have generating at once. */
  concurrentStreams: number;
  /** New streams the principal may start in any rolling minute. */
  requestsPerMinute: number;
  /** Tokens (prompt and completion) the principal may use per UTC day. */
  tokensPerDay: number;
}

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
