import { percentile } from '../load';
import type { ReplyOutcome } from './reply-client';

/** What a set of replies came to, as their clients saw it. */
export interface OutcomeSummary {
  completed: number;
  /** Tokens delivered, over every reply (complete or not). */
  tokens: number;
  /** Tokens per socket read that carried body bytes: above 1, the server's writes arrived merged. */
  tokensPerRead: number;
  firstTokenP50Ms: number;
  firstTokenP99Ms: number;
  /** The replies that did not complete, by status and reason: `cut ECONNRESET ×3, unfinished ×12`. */
  failures: string;
}

/** Sums up `outcomes`; replies that left on purpose are not failures. */
export function summarise(outcomes: readonly ReplyOutcome[]): OutcomeSummary {
  const failures = new Map<string, number>();
  let tokens = 0;
  let reads = 0;
  for (const outcome of outcomes) {
    tokens += outcome.tokens;
    reads += outcome.reads;
    if (outcome.status === 'completed' || outcome.status === 'left') continue;
    // Only the start of a reason: an HTTP error's body would make every line distinct.
    const key = `${outcome.status}${outcome.reason ? ` ${outcome.reason.slice(0, 40)}` : ''}`;
    failures.set(key, (failures.get(key) ?? 0) + 1);
  }
  const firstTokens = outcomes.filter((o) => o.firstTokenMs >= 0).map((o) => o.firstTokenMs);
  return {
    completed: outcomes.filter((o) => o.status === 'completed').length,
    tokens,
    tokensPerRead: reads > 0 ? tokens / reads : NaN,
    firstTokenP50Ms: percentile(firstTokens, 50),
    firstTokenP99Ms: percentile(firstTokens, 99),
    failures: [...failures]
      .sort((a, b) => b[1] - a[1])
      .map(([key, count]) => `${key} ×${count}`)
      .join(', '),
  };
}
