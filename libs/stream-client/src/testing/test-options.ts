import type { StreamChatOptions } from '../lib/stream-chat';

/** Short real delays: 4 ms before the first reconnect, 8 before the second, then 15. */
export const FAST = { initialDelayMs: 5, maxDelayMs: 20, random: () => 0.5 };

// Every stream a test opens gets this signal, so none outlives its test (not even a failing one).
let testEnd = new AbortController();
beforeEach(() => (testEnd = new AbortController()));
afterEach(() => testEnd.abort(new Error('the test ended')));

/** Options for a stream on a scripted `fetch`, with fast resumes, ended with its test. */
export function options(
  fetchImpl: typeof fetch,
  overrides: Partial<StreamChatOptions> = {},
): StreamChatOptions {
  return {
    baseUrl: 'http://api',
    fetch: fetchImpl,
    resume: FAST,
    signal: testEnd.signal,
    ...overrides,
  };
}
