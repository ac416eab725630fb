import { ErrorCodes, type PeriodQuery } from '@tokenstream/stream-contracts';
import { ApiException } from './api-exception';

/** A report's period: from (inclusive) to (exclusive). */
export interface ReportPeriod {
  from: Date;
  to: Date;
}

/** The period `query` names, each end defaulting to the current UTC month's. */
export function reportPeriod(query: PeriodQuery, now = new Date()): ReportPeriod {
  const from = query.from
    ? new Date(query.from)
    : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const to = query.to
    ? new Date(query.to)
    : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  if (from >= to) {
    throw new ApiException(
      400,
      ErrorCodes.invalidRequest,
      'Invalid request: from must be before to',
      [{ path: 'from', message: 'must be before to' }],
    );
  }
  return { from, to };
}
