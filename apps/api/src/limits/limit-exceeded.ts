import { ErrorCodes } from '@tokenstream/stream-contracts';
import { ApiException } from '../common/api-exception';
import type { LimitStandings } from '../shared/limit-standing';
import type { LimitName } from '../shared/principal-limits';
import type { RefusedLimit } from '../shared/refused-limit';

/** The `problems[].path` of a `429`; its `message` is the {@link LimitName} that was reached. */
export const LIMIT_PROBLEM_PATH = 'limit';

/** What the caller is told for each limit, given the limit and the seconds until it may retry. */
const MESSAGES: Record<RefusedLimit, (limit: number, retryAfterSeconds: number) => string> = {
  concurrentStreams: (limit) =>
    `You have ${limit} ${limit === 1 ? 'reply' : 'replies'} generating at once, the most allowed. Wait for one to finish.`,
  requestsPerMinute: (limit, seconds) =>
    `You have started ${limit} ${limit === 1 ? 'reply' : 'replies'} in the last minute, the most allowed. Try again in ${seconds} s.`,
  tokensPerDay: (limit) =>
    `You have used today's ${limit} tokens, the most allowed. More are available after midnight UTC.`,
  readersPerStream: (limit) =>
    `This reply already has ${limit} ${limit === 1 ? 'reader' : 'readers'}, the most allowed. Close another tab or connection reading it.`,
  readersPerCaller: (limit) =>
    `You have ${limit} ${limit === 1 ? 'stream' : 'streams'} open at once, the most allowed. Close one and try again.`,
};

/**
 * A `429` for a limit reached, with where the caller's request and token limits stood when it was
 * refused, for the routes that tell callers so (OpenAI's `x-ratelimit-*` headers on `/v1`).
 */
export class LimitExceededException extends ApiException {
  constructor(
    message: string,
    problems: ApiException['problems'],
    headers: Record<string, string>,
    /** Where the caller's own limits stood; absent when they were not read (a reader bound). */
    readonly standing: LimitStandings | undefined,
  ) {
    super(429, ErrorCodes.rateLimited, message, problems, headers);
  }
}

/**
 * The `429 rate_limited` for a limit reached: a message naming it, `problems` naming it for code
 * (`[{ path: 'limit', message: 'concurrentStreams' }]`), and `Retry-After` in whole seconds.
 */
export function limitExceeded(
  name: RefusedLimit,
  limit: number,
  retryAfterMs: number,
  options: {
    /** The model whose own limit was reached (the models file's `limits`), if it was one. */
    model?: string;
    /** Where the caller's own limits stood, when the refusal read them. */
    standing?: LimitStandings;
  } = {},
): LimitExceededException {
  const { model, standing } = options;
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const message = MESSAGES[name](limit, seconds);
  return new LimitExceededException(
    model ? `With ${model}: ${message[0].toLowerCase()}${message.slice(1)}` : message,
    [{ path: LIMIT_PROBLEM_PATH, message: name }],
    { 'Retry-After': String(seconds) },
    standing,
  );
}
