import { ChatClientError } from '@tokenstream/stream-client';
import type { ErrorCode, RequestProblem } from '@tokenstream/stream-contracts';

/** The api refused or failed an admin request: its `{ code, message }` JSON body, and the status. */
export class AdminApiError extends Error {
  override readonly name = 'AdminApiError';

  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'http_error' | undefined,
    message: string,
    readonly problems: readonly RequestProblem[] = [],
  ) {
    super(message);
  }
}

/**
 * What to tell an admin about a failed request, in a sentence or two: the api's own message (and
 * each problem it found), or what went wrong on the way to it. Never empty.
 */
export function describeAdminError(error: unknown): string {
  if (error instanceof AdminApiError) {
    const problems = error.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
    return [error.message, ...problems].join(' · ');
  }
  if (error instanceof ChatClientError && error.kind === 'unauthenticated') {
    return 'Your session has expired: reload the page to sign in again.';
  }
  if (error instanceof TypeError) {
    return 'The api could not be reached: check the connection and try again.';
  }
  return error instanceof Error && error.message
    ? `Something went wrong: ${error.message}`
    : 'Something went wrong.';
}
