import { ErrorCodes } from '@tokenstream/stream-contracts';
import { toErrorFrame } from './upstream-failure';
import { UpstreamTimeoutError } from './upstream-timeout-error';

describe('toErrorFrame for time limits', () => {
  it.each([
    ['first-token', 'The model took too long to start answering. Please try again.'],
    ['idle', 'The model stopped sending its reply partway through. Please try again.'],
    ['total', 'The model took too long to finish its reply. Please try again.'],
  ] as const)(
    'turns the %s timeout into a retryable upstream_timeout saying what happened',
    (kind, message) => {
      const frame = toErrorFrame(new UpstreamTimeoutError(kind, 300));
      expect(frame).toEqual({
        type: 'error',
        code: ErrorCodes.upstreamTimeout,
        message,
        retryable: true,
      });
      // The limits are an operator's business; the log line (the error's own message) has them.
      expect(frame.message).not.toContain('300');
    },
  );
});
