import type { LimitName } from './principal-limits';

/** A limit a request can be refused for: a principal's own, or a bound on concurrent readers. */
export type RefusedLimit = LimitName | 'readersPerStream' | 'readersPerCaller';
