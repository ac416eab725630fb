/** Where one of a caller's limits stands at an admission, as a caller pacing itself reads it. */
export interface LimitStanding {
  /** The limit as configured: requests per rolling minute, or tokens per UTC day. */
  limit: number;
  /** What is left of it, the request just admitted counted; never below `0`. */
  remaining: number;
  /** Milliseconds until it frees: a request leaves the rolling minute, or the UTC day ends. */
  resetMs: number;
}

/**
 * Where a caller's request and token limits stand at an admission, admitted or refused; a limit
 * that is off (`0`) is absent.
 */
export interface LimitStandings {
  requests?: LimitStanding;
  tokens?: LimitStanding;
}
